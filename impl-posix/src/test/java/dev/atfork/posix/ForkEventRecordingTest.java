package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.posix.libc.Bindings;
import dev.atfork.spi.NativeForkHandlers;
import dev.atfork.testing.Forker;
import dev.atfork.testing.LogCapture;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dev.atfork.Fork} JFR event, through a real recording in this JVM, read back from its
 * file: one event per fork, in the parent, with the fork's counts, and none while the recording
 * does not enable it. Runs in a JVM of its own (the {@code jfr} Surefire execution), so that the
 * native child handler is not installed before the first test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForkEventRecordingTest {

    private static final RuntimeException PARENT_FAILURE = new IllegalStateException("parent boom, on purpose");
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger LOGGER = Logger.getLogger(HookFailureLog.LOGGER_NAME);

    @RegisterExtension
    final ForkFixture fixture = new ForkFixture();
    private final AtforkService service = fixture.service;
    @TempDir
    Path dir;
    private final Handler quiet = new LogCapture(record -> { });
    private boolean usedParentHandlers;

    /** The failing hook's log records go nowhere, rather than into the build's output. */
    @BeforeEach
    void silenceHookFailures() {
        usedParentHandlers = LOGGER.getUseParentHandlers();
        LOGGER.setUseParentHandlers(false);
        LOGGER.addHandler(quiet);
    }

    @AfterEach
    void restoreLogging() {
        LOGGER.removeHandler(quiet);
        LOGGER.setUseParentHandlers(usedParentHandlers);
    }

    @Test
    @Order(1)
    @Timeout(120)
    void eachForkIsRecordedInTheParentWithItsCounts() throws Exception {
        assertFalse(NativeForkHandlers.isInstalled("child"),
                "a child hook was added earlier in this JVM; run this class in a JVM of its own");
        service.register();
        fixture.keep(service.preFork(() -> { }));
        fixture.keep(service.preFork(() -> { }));
        fixture.keep(service.afterForkParent(() -> {
            throw PARENT_FAILURE;
        }));
        assertTrue(ForkRecorder.usesJfr(), "jdk.jfr is there: the JFR recorder must be chosen");
        Path file = dir.resolve("forks.jfr");
        int withoutChildHandler;
        int forks;
        try (Recording recording = new Recording()) {
            recording.enable(ForkRecorder.EVENT_NAME);
            recording.start();
            withoutChildHandler = forkTimes(3);
            fixture.keep(service.afterForkChild(() -> { }));
            forks = withoutChildHandler + forkTimes(2);
            // A fork in a child, which the child's prepare phase tells by its pid, begins no event.
            assertNull(ForkRecorder.begin(Bindings.LIBC.getpid() + 1), "an event begun in another process");
            assertNotNull(ForkRecorder.begin(Bindings.LIBC.getpid()), "no event begun while enabled: the control");
            recording.stop();
            recording.dump(file);
        }

        List<RecordedEvent> events = forkEvents(file);
        assertEquals(forks, events.size(), () -> "one event per fork: " + events);
        for (int i = 0; i < events.size(); i++) {
            RecordedEvent event = events.get(i);
            String described = event.toString();
            assertEquals(3, event.getInt("hooksRun"), described);
            assertEquals(1, event.getInt("hookFailures"), described);
            assertTrue(event.getInt("streamsHandedOver") >= 2, "System.out and System.err at least: " + described);
            assertEquals(0, event.getInt("forcedReleases"), described);
            assertEquals(i >= withoutChildHandler, event.getBoolean("childHandlerInstalled"), described);
            Duration prepare = event.getDuration("prepareDuration");
            assertTrue(!prepare.isNegative() && !prepare.isZero() && prepare.compareTo(event.getDuration()) <= 0,
                    "the prepare phase is part of the fork: " + described);
            assertEquals(Thread.currentThread().getName(), event.getThread().getJavaName(), described);
        }
    }

    @Test
    @Order(2)
    @Timeout(120)
    void aStreamStuckInAWriteIsRecordedAsAForcedRelease() throws Exception {
        service.register();
        Path file = dir.resolve("stuck.jfr");
        int forks;
        try (StuckPipe pipe = new StuckPipe(); Recording recording = new Recording()) {
            PrintStream view = service.watch(pipe.printStream());
            Thread writer = pipe.startWriterThatBlocks(view);
            recording.enable(ForkRecorder.EVENT_NAME);
            recording.start();
            forks = forkTimes(1);
            recording.stop();
            recording.dump(file);
            pipe.drain();
            writer.join(10_000);
        }

        List<RecordedEvent> events = forkEvents(file);
        assertEquals(forks, events.size(), () -> "one event per fork: " + events);
        for (RecordedEvent event : events) {
            assertEquals(1, event.getInt("forcedReleases"), event::toString);
            assertTrue(event.getInt("streamsHandedOver") >= 3, event::toString);
            assertTrue(event.getDuration("prepareDuration").toMillis() >= 90, "the 100 ms bound: " + event);
        }
    }

    @Test
    @Order(3)
    @Timeout(120)
    void nothingIsRecordedWhileTheRecordingDoesNotEnableTheEvent() throws Exception {
        service.register();
        Path file = dir.resolve("disabled.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart"); // a recording that runs, without the event
            recording.disable(ForkRecorder.EVENT_NAME);
            recording.start();
            forkTimes(2);
            recording.stop();
            recording.dump(file);
        }

        assertEquals(List.of(), forkEvents(file));
    }

    /** Forks {@code times} times, each child exiting 0; returns how many forks that took, with retries. */
    private static int forkTimes(int times) {
        int[] forks = new int[1];
        for (int i = 0; i < times; i++) {
            Forker.Result result = Forker.forkRetryingJvmHangs(() -> forks[0]++, fd -> 0, ForkFixture.TIMEOUT,
                    Forker.Capture.STDERR);
            assertTrue(result.exited(0), result::toString);
        }
        return forks[0];
    }

    private static List<RecordedEvent> forkEvents(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals(ForkRecorder.EVENT_NAME))
                .collect(Collectors.toList());
    }
}
