package dev.atfork.spi;

/**
 * The forks in flight through one {@link NativeForkHandlers}: each thread keeps a stack of them,
 * since a hook may fork again, each entry the target its prepare phase called and the frame that
 * phase returned. The parent and child phases of a fork reach the same target with the same
 * frame, even where forks overlap. Takes no lock.
 */
final class ForksInFlight {

    /** One fork in flight: the target its prepare phase called and the frame it returned. */
    private static final class Fork {
        final ForkTarget target;
        final Object frame;
        final Fork outer;

        Fork(ForkTarget target, Object frame, Fork outer) {
            this.target = target;
            this.frame = frame;
            this.outer = outer;
        }
    }

    /** This thread's forks in flight, innermost first. */
    private final ThreadLocal<Fork> innermost = new ThreadLocal<>();
    /** Stands for no fork in flight, so that the warm-up runs the same code as a fork. */
    private final Fork none;
    /** The entry of the latest fork with none outer to it, for the next with the same target and frame. */
    private volatile Fork lastOutermost;

    ForksInFlight(ForkTarget idle) {
        none = new Fork(idle, null, null);
    }

    void prepare(ForkTarget target) {
        Fork outer = innermost.get();
        Object frame = null;
        try {
            frame = target.prepare();
        } finally {
            innermost.set(entry(target, frame, outer)); // pushed whatever happened, so the phases pair up
        }
    }

    /** An entry for a fork: the latest one again where a target reuses its frame, so that most forks allocate nothing. */
    private Fork entry(ForkTarget target, Object frame, Fork outer) {
        Fork last = lastOutermost;
        if (outer == null && last != null && last.target == target && last.frame == frame) {
            return last;
        }
        Fork made = new Fork(target, frame, outer);
        if (outer == null) {
            lastOutermost = made;
        }
        return made;
    }

    /** The fork stays in flight until its target's parent phase returns. */
    void parent() {
        Fork fork = innermostOrNone();
        try {
            fork.target.parent(fork.frame);
        } finally {
            innermost.set(fork.outer);
        }
    }

    void child() {
        Fork fork = innermostOrNone();
        innermost.set(fork.outer);
        fork.target.child(fork.frame);
    }

    Object currentFrame() {
        Fork fork = innermost.get();
        return fork == null ? null : fork.frame;
    }

    private Fork innermostOrNone() {
        Fork fork = innermost.get();
        return fork == null ? none : fork;
    }
}
