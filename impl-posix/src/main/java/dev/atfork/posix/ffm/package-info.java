/**
 * The POSIX provider's binding to libc through {@code java.lang.foreign}, for JDK 22 and later. Its
 * classes are in {@code META-INF/versions/22} of the multi-release jar. This package-info is in the
 * base section because the module descriptor names the package on every JDK, and {@code jlink} of
 * JDK 17 to 21 refuses a module whose descriptor names a package it does not contain. Not exported.
 */
package dev.atfork.posix.ffm;
