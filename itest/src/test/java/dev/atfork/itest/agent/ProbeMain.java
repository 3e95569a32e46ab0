package dev.atfork.itest.agent;

/**
 * A program that knows nothing of atfork: prints the class of {@code System.out} and the system
 * properties the agent's options set, as {@code key=value} lines.
 */
public final class ProbeMain {

    private ProbeMain() {
    }

    /** Prints {@code out=}, {@code timeout=}, {@code report=} and {@code owner=}. */
    public static void main(String[] args) {
        System.out.println("out=" + System.out.getClass().getName());
        System.out.println("timeout=" + System.getProperty("dev.atfork.prepareTimeoutMillis"));
        System.out.println("report=" + System.getProperty("dev.atfork.reportForcedRelease"));
        System.out.println("owner=" + System.getProperty("dev.atfork.owner"));
    }
}
