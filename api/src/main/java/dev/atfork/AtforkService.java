package dev.atfork;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.util.Optional;

/**
 * Runs Java hooks around {@code fork()} of this process, through {@code pthread_atfork}.
 *
 * <p>Each instance is a client, however it was obtained: {@link #load()}, {@link
 * java.util.ServiceLoader} or the OSGi service registry. A client's hooks run only while that
 * client is {@linkplain #register() registered}, and no client can switch off another's; the
 * native handlers, the watched streams and the prepare timeout are the process's. For each kind
 * the most recently added hook runs first, across clients. A hook added or removed during a fork
 * takes effect at the next fork.
 *
 * <p>While any client is registered, {@code System.out} and {@code System.err} are fork-safe: a child forked
 * while other threads print never hangs on them, and nothing buffered is written twice. Other
 * streams get the same protection through {@link #watch(OutputStream)} and its overloads.
 *
 * <p>Code in an {@link #afterForkChild} hook runs in a child that has only the forking thread:
 * it must not take locks, load classes, log, start threads or allocate much. See the README.
 */
public interface AtforkService {

    /**
     * Returns the best available provider: a supported one over an unsupported one, or the one
     * named by the system property {@code dev.atfork.provider}. Never returns {@code null} and
     * never throws: without a usable provider it returns a no-op whose {@link #limitation()}
     * says why.
     *
     * @return the provider to use
     */
    static AtforkService load() {
        return ProviderSelection.select();
    }

    /**
     * Returns the provider's name.
     *
     * @return {@code "posix"}, {@code "noop"}, or another provider's name
     */
    String name();

    /**
     * Tells whether hooks really run at fork.
     *
     * @return {@code true} if this provider's native binding works on this platform
     */
    boolean isSupported();

    /**
     * Explains why hooks do not run here.
     *
     * @return empty if and only if {@link #isSupported()}; otherwise the reason, naming the
     *     operating system, architecture and cause
     */
    Optional<String> limitation();

    /**
     * Turns this client on: lets its hooks run, and claims the protection of the standard streams.
     * The first registration in the process installs the native fork handlers and replaces
     * {@code System.out} and {@code System.err} with fork-safe streams that write to the same
     * destinations. Call it early: code that captured {@code System.out} before is not protected.
     * Idempotent.
     *
     * @throws IllegalStateException if the native handlers cannot be installed, or another copy of the
     *     provider (another class loader's, or a shaded one) serves this process's forks
     * @throws IllegalArgumentException if the system property {@code dev.atfork.prepareTimeoutMillis}
     *     is set to anything but a whole number of milliseconds >= 0; the message names it and its value
     */
    void register();

    /**
     * Turns this client off: its hooks stop running, and its claim on the standard streams ends.
     * Other clients are not affected. When the last registered client deregisters, the native
     * handlers, which stay installed since POSIX cannot remove them, do nothing until the next
     * {@link #register()}, and the streams that {@code System.out} and {@code System.err}
     * replaced are put back, if they are still the fork-safe ones. Idempotent.
     */
    void deregister();

    /**
     * Tells whether this client is on.
     *
     * @return {@code true} between this client's {@link #register()} and {@link #deregister()}
     */
    boolean isRegistered();

    /**
     * Adds a hook that runs in the parent just before each fork, while this client is registered.
     *
     * @param hook the code to run; held strongly until the registration is closed
     * @return the registration, whose {@link Registration#close()} removes the hook
     * @throws NullPointerException if {@code hook} is null
     */
    Registration preFork(Runnable hook);

    /**
     * Adds a hook that runs in the parent just after each fork, while this client is registered.
     *
     * @param hook the code to run; held strongly until the registration is closed
     * @return the registration, whose {@link Registration#close()} removes the hook
     * @throws NullPointerException if {@code hook} is null
     */
    Registration afterForkParent(Runnable hook);

    /**
     * Adds a hook that runs in the child just after each fork, while this client is registered. Adding the first one makes the
     * library run Java code in every forked child from then on; children that only
     * {@code exec} do not pay that risk while no child hook was ever added.
     *
     * @param hook the code to run; held strongly until the registration is closed
     * @return the registration, whose {@link Registration#close()} removes the hook
     * @throws NullPointerException if {@code hook} is null
     */
    Registration afterForkChild(Runnable hook);

    /**
     * Returns a fork-safe view of a binary stream, protected while the service is registered. At
     * each fork the view takes its lock within a bound and flushes {@code out}, so a child never
     * blocks on it and writes nothing twice. Write only through the view; closing it ends the watch.
     * A view no longer referenced is forgotten. The view of a {@link java.io.BufferedOutputStream}
     * buffers in its place, so that a write takes one lock: flush the view, not {@code out}.
     *
     * @param out the stream to protect
     * @return the view; {@code out} itself where the provider cannot protect it
     * @throws NullPointerException if {@code out} is null
     */
    OutputStream watch(OutputStream out);

    /**
     * Returns a fork-safe view of a character stream; see {@link #watch(OutputStream)}.
     *
     * @param out the writer to protect
     * @return the view; {@code out} itself where the provider cannot protect it
     * @throws NullPointerException if {@code out} is null
     */
    Writer watch(Writer out);

    /**
     * Returns a fork-safe view of a print stream, writing with its charset; see
     * {@link #watch(OutputStream)}.
     *
     * @param out the print stream to protect
     * @return the view; {@code out} itself where the provider cannot protect it
     * @throws NullPointerException if {@code out} is null
     */
    PrintStream watch(PrintStream out);
}
