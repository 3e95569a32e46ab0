package dev.atfork.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A fork whose child reports what a shared event log holds in it, for tests whose hooks append to that log. */
public final class EventFork {

    private EventFork() {
    }

    /**
     * Forks (again if the JVM itself hung the child) with {@code events} emptied first; the child
     * sends what {@code events} holds as its report. Bounded by 10 s a fork.
     */
    public static Forker.Result forkReporting(StringBuffer events) {
        return Forker.forkRetryingJvmHangs(() -> events.setLength(0), fd -> {
            Forker.write(fd, events.toString().getBytes(StandardCharsets.UTF_8));
            return 0;
        }, Duration.ofSeconds(10), Forker.Capture.NONE);
    }
}
