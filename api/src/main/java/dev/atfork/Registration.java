package dev.atfork;

/** A hook added to an {@link AtforkService}; closing it removes the hook. */
public interface Registration extends AutoCloseable {

    /** Removes the hook; it does not run at any fork that starts afterwards. Idempotent. */
    @Override
    void close();
}
