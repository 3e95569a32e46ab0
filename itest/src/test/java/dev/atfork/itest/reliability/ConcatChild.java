package dev.atfork.itest.reliability;

import dev.atfork.testing.Forker;

/**
 * {@link JvmHangMatrix}'s child that builds its line with {@code +}: {@code "child " + fork}. The
 * build compiles it to an {@code invokedynamic} site ({@code StringConcatFactory}); the matrix
 * compiles this same source again with {@code javac -XDstringConcat=inline} ({@code StringBuilder}
 * calls) for its {@code concat-inline} case. The parent runs the action once with {@link #fork} -1,
 * which skips the {@code +}, so the site's first use is in a child.
 */
final class ConcatChild {

    /** The fork's number, set by the parent before each fork; -1 in the parent's warm-up run. */
    static int fork = -1;

    private ConcatChild() {
    }

    /**
     * Marks B, builds its line ({@code "child " + fork}, or {@code "child"} when {@link #fork} is
     * negative), marks C, prints the line to {@code System.out}, marks A.
     */
    static Forker.ChildAction action() {
        return fd -> {
            Forker.write(fd, Reliability.BEFORE);
            String line = fork < 0 ? "child" : "child " + fork;
            Forker.write(fd, Reliability.ALLOCATED);
            System.out.println(line);
            Forker.write(fd, Reliability.AFTER);
            return 0;
        };
    }
}
