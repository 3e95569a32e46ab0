package dev.atfork.demo;

import dev.atfork.AtforkService;
import dev.atfork.Registration;

/**
 * Registers one hook of each kind, forks once, and shows where each hook ran.
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -DskipTests verify}.
 */
public final class CustomHooksDemo {

    private CustomHooksDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        AtforkService atfork = AtforkService.load();
        say("atfork provider: " + atfork);
        atfork.limitation().ifPresent(why -> say("hooks will not run: " + why));

        atfork.register();
        boolean ok;
        try (Registration pre = atfork.preFork(() -> say("pre-fork hook"));
             Registration parent = atfork.afterForkParent(() -> say("after fork in parent"));
             Registration child = atfork.afterForkChild(() -> say("after fork in child"))) {
            Forks.Outcome outcome = Forks.forkAndWait(() -> say("child: hello, exiting with _exit(0)"));
            say("parent: " + outcome);
            ok = outcome.succeeded();
        } finally {
            atfork.deregister();
        }
        System.exit(ok ? 0 : 1);
    }

    /**
     * Prints a line tagged with the pid of the process that prints it. The parent calls it before
     * it forks, so the child runs only code that is already linked. System.out is safe in this
     * child only because no other thread of the demo prints: see the README.
     */
    static void say(String what) {
        System.out.println(what + " (pid " + DemoLibC.getpid() + ")");
    }
}
