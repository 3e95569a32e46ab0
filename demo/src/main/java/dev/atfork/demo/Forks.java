package dev.atfork.demo;

/** Forks the demo JVM for real and waits for the child. */
final class Forks {

    private Forks() {
    }

    /**
     * Forks once. The child runs {@code inChild}, flushes {@code System.out} and ends with
     * {@code _exit}; the parent waits for it.
     *
     * <p>{@code inChild} runs in a child that has only this thread: it must use only code and
     * classes the parent already used, take no lock another thread may hold, and start no thread.
     *
     * @param inChild what the child does
     * @return the child's pid and how it ended
     */
    static Outcome forkAndWait(Runnable inChild) {
        System.out.flush(); // or the child would inherit, and print again, what is still buffered
        int pid = DemoLibC.fork();
        if (pid == 0) {
            int status = 0;
            try {
                inChild.run();
                System.out.flush();
            } catch (Throwable e) {
                status = 1;
            }
            DemoLibC._exit(status);
        }
        if (pid < 0) {
            throw new IllegalStateException("fork failed");
        }
        int[] status = new int[1];
        if (DemoLibC.waitpid(pid, status, 0) != pid) {
            throw new IllegalStateException("waitpid failed for pid " + pid);
        }
        return new Outcome(pid, status[0]);
    }

    /**
     * How a child ended.
     *
     * @param pid the child's pid
     * @param waitStatus the status waitpid reported
     */
    record Outcome(int pid, int waitStatus) {

        boolean exitedNormally() {
            return (waitStatus & 0x7f) == 0;
        }

        int exitCode() {
            return (waitStatus >> 8) & 0xff;
        }

        boolean succeeded() {
            return exitedNormally() && exitCode() == 0;
        }

        @Override
        public String toString() {
            return exitedNormally()
                    ? "child " + pid + " exited with status " + exitCode()
                    : "child " + pid + " was killed by signal " + (waitStatus & 0x7f);
        }
    }
}
