package dev.atfork;

/**
 * Code called around each fork while the service is registered. In OSGi, publish it as a service
 * (whiteboard); it is dropped when its bundle stops. Each method does nothing by default.
 */
public interface ForkListener {

    /** Called in the parent just before the fork. */
    default void preFork() {
    }

    /** Called in the parent just after the fork. */
    default void afterForkParent() {
    }

    /** Called in the child just after the fork; see {@link AtforkService#afterForkChild}. */
    default void afterForkChild() {
    }
}
