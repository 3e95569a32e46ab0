package dev.atfork.spi;

/**
 * What a provider's native fork handlers call, for providers only. The prepare phase returns the
 * fork's frame, which {@link NativeForkHandlers} hands to that same fork's parent or child phase.
 */
public interface ForkTarget {

    /**
     * The prepare phase, in the forking thread just before the fork.
     *
     * @return this fork's frame, given back to {@link #parent} or {@link #child}; may be null
     */
    Object prepare();

    /**
     * The parent phase, in the forking thread just after the fork.
     *
     * @param frame what {@link #prepare()} returned for this fork
     */
    void parent(Object frame);

    /**
     * The child phase, in the child's only thread just after the fork.
     *
     * @param frame what {@link #prepare()} returned for this fork
     */
    void child(Object frame);
}
