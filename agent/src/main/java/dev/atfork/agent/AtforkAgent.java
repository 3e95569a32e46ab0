package dev.atfork.agent;

import dev.atfork.AtforkService;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;

/**
 * A java agent that protects a program it cannot change: {@code java -javaagent:atfork-agent.jar
 * -jar app.jar} loads the POSIX provider and registers it before {@code main}, so that
 * {@code System.out} and {@code System.err} are fork-safe from the start. Options after {@code =}:
 * see {@link AgentOptions}.
 *
 * <p>It is silent when it works. Where protection is unavailable (the no-op provider was chosen, or
 * {@code register()} failed) or an option is wrong, it writes one line on stderr saying why and
 * registers nothing; it never throws, since that would stop the JVM. It never deregisters, and it
 * initialises no logging backend itself (but see the README on JNA and {@code java.util.logging}).
 */
public final class AtforkAgent {

    private static final String PREFIX = "atfork agent: fork protection is off: ";
    /** The registered client, held for the life of the process; written once. */
    private static volatile AtforkService service;

    private AtforkAgent() {
    }

    /**
     * Called by the JVM before {@code main} for {@code -javaagent:}.
     *
     * @param args the options after {@code =}, or {@code null}
     * @param instrumentation unused
     */
    public static void premain(String args, Instrumentation instrumentation) {
        start(args, System.err);
    }

    /**
     * Called by the JVM when the agent is loaded into a running JVM: streams that code captured
     * before are not protected.
     *
     * @param args the options after {@code =}, or {@code null}
     * @param instrumentation unused
     */
    public static void agentmain(String args, Instrumentation instrumentation) {
        start(args, System.err);
    }

    /** Registers, or writes one line on {@code err} saying why not. Never throws. */
    static void start(String args, PrintStream err) {
        try {
            String problem = protect(args);
            if (problem != null) {
                err.println(PREFIX + problem.replace('\r', ' ').replace('\n', ' '));
            }
        } catch (Throwable e) {
            try {
                err.println(PREFIX + "the agent failed: " + e);
            } catch (Throwable ignored) {
                // nothing more to do: the program must start
            }
        }
    }

    /** Applies the options and registers the provider; returns why protection is off, or {@code null}. */
    private static synchronized String protect(String args) {
        if (service != null) {
            return null;
        }
        try {
            AgentOptions.parse(args).apply(System.getProperties());
        } catch (IllegalArgumentException e) {
            return e.getMessage() + " (" + AgentOptions.VALID + ")";
        }
        AtforkService loaded = AtforkService.load();
        if (!loaded.isSupported()) {
            return loaded.limitation().orElse("the " + loaded.name() + " provider runs no hooks");
        }
        try {
            loaded.register();
        } catch (RuntimeException e) {
            return "register() failed: " + e.getMessage();
        }
        service = loaded;
        return null;
    }
}
