/**
 * How the POSIX provider reaches libc, whichever binding is in use: {@link Libc}, the calls it
 * makes, {@link ForkEntries}, the functions libc calls at fork, and {@link Bindings}, which picks
 * the JNA binding or the FFM one. Not exported: module and bundle keep it private to the provider.
 */
package dev.atfork.posix.libc;
