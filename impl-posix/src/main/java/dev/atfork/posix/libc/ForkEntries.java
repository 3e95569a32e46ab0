package dev.atfork.posix.libc;

/**
 * The functions libc calls at fork, made by a {@link Libc} for one set of native handlers. Each
 * registration first calls its functions once through libc ({@code pthread_once}), so that their
 * native-to-Java path is resolved before any fork. Nothing registered can be removed.
 */
public interface ForkEntries {

    /** Warms up the prepare and parent functions, then registers them with libc. */
    void registerPrepareAndParent();

    /** Warms up the child function, then registers it with libc. */
    void registerChild();

    /**
     * Runs the prepare then the parent function {@code forks} times, as a fork that failed runs
     * them, and registers nothing: the JIT then compiles the whole fork path. JNA's callbacks are
     * called from Java; FFM's upcall stubs through native code, since their glue is specialised
     * for each stub.
     */
    void runWithoutForking(int forks);
}
