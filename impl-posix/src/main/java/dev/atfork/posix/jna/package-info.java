/**
 * The POSIX provider's binding to libc through JNA: direct-mapped calls, and the fork handlers
 * libc calls, registered with {@code __register_atfork} on glibc and {@code pthread_atfork}
 * elsewhere. Not exported: module and bundle keep it private to the provider.
 */
package dev.atfork.posix.jna;
