package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** System.out and System.err across real forks, with and without protection. */
class StandardStreamForkTest {

    private static final Duration HANG_TIMEOUT = Duration.ofSeconds(3);
    private final AtforkService service = new PosixAtforkService();

    @Test
    void controlWithoutProtectionAChildHangsOnSystemOutHeldByAnotherThread() throws Exception {
        try (StreamFixture fixture = new StreamFixture()) {
            PrintStream sink = StreamFixture.devNull();
            System.setOut(sink);
            StreamFixture.printInChild(-1);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                synchronized (sink) {
                    held.countDown();
                    awaitQuietly(release);
                }
            });
            holder.start();
            held.await();
            try {
                Forker.Result result = Forker.fork(StreamFixture::printInChild, HANG_TIMEOUT);
                assertTrue(result.hung(), () -> "expected the child to hang on println: " + result);
                assertEquals("stream", StreamFixture.outcome(result), result::toString);
            } finally {
                release.countDown();
                holder.join();
            }
        }
    }

    @Test
    void withProtectionChildrenForkedWhileFourThreadsPrintNeverHangOnAStream() throws Exception {
        int baselineForks = 20;
        int protectedForks = 100;
        int[] baseline = new int[3];
        int[] withProtection = new int[3];
        try (StreamFixture fixture = new StreamFixture()) {
            System.setOut(StreamFixture.devNull());
            fixture.startPrinters(4);
            forkRepeatedly(baselineForks, baseline);
        }
        try (StreamFixture fixture = new StreamFixture()) {
            System.setOut(StreamFixture.devNull());
            service.register();
            try {
                fixture.startPrinters(4);
                forkRepeatedly(protectedForks, withProtection);
            } finally {
                service.deregister();
            }
        }
        System.err.printf("fork-safe System.out: unprotected %d/%d children hung on a stream, %d in the JVM;"
                        + " protected %d/%d on a stream, %d in the JVM%n",
                baseline[1], baselineForks, baseline[2], withProtection[1], protectedForks, withProtection[2]);
        assertEquals(0, withProtection[1], "children hung on a stream lock with protection on");
    }

    @Test
    void aStuckWriterDelaysTheForkOnlyByTheBoundAndIsReportedInTheChild(@TempDir Path dir) throws Exception {
        try (StreamFixture fixture = new StreamFixture();
             StuckPipe pipe = new StuckPipe()) {
            System.setOut(pipe.printStream());
            System.setErr(new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
            service.register();
            try {
                Forker.ChildAction child = fd -> {
                    Forker.write(fd, StreamFixture.BEFORE);
                    System.err.println("child wrote to System.err");
                    System.out.println("child wrote to System.out");
                    Forker.write(fd, StreamFixture.AFTER);
                    return 0;
                };
                child.run(-1);
                Thread writer = pipe.startWriterThatBlocks(System.out);
                // The writer stays stuck, so a fork whose child hung in the JVM itself can be made again.
                Forker.Result result = Forker.forkRetryingJvmHangs(() -> { }, child, Duration.ofSeconds(10),
                        Forker.Capture.BOTH);
                long forkMillis = result.forkNanos() / 1_000_000;
                assertTrue(result.exited(0) && result.reportText().equals("BA"), result::toString);
                assertTrue(forkMillis >= 90 && forkMillis < 1_000, "fork took " + forkMillis + " ms");
                assertTrue(result.stderrText().contains("atfork: deadlock for System.out, releasing"), result::toString);
                assertTrue(result.stderrText().contains("child wrote to System.err"), result::toString);
                assertTrue(result.stdoutText().contains("child wrote to System.out"), result::toString);
                System.err.printf("stuck writer: fork took %d ms with a 100 ms bound%n", forkMillis);
                pipe.drain();
                writer.join(10_000);
            } finally {
                service.deregister();
            }
        }
    }

    @Test
    void nothingBufferedIsWrittenTwice(@TempDir Path dir) throws Exception {
        assertEquals(2, countPartial(dir.resolve("unprotected.txt"), false), "control: the child re-writes the parent's buffer");
        assertEquals(1, countPartial(dir.resolve("protected.txt"), true));
    }

    @Test
    void deregisterRestoresTheIdentityOfSystemOutAndSystemErr() throws Exception {
        try (StreamFixture fixture = new StreamFixture()) {
            PrintStream out = StreamFixture.devNull();
            PrintStream err = StreamFixture.devNull();
            System.setOut(out);
            System.setErr(err);
            service.register();
            assertNotSame(out, System.out);
            assertNotSame(err, System.err);
            service.deregister();
            assertSame(out, System.out);
            assertSame(err, System.err);
        }
    }

    private int countPartial(Path file, boolean protect) throws Exception {
        try (StreamFixture fixture = new StreamFixture()) {
            PrintStream buffered = new PrintStream(new BufferedOutputStream(StreamFixture.uncheckedFile(file)), false);
            System.setOut(buffered);
            if (protect) {
                service.register();
            }
            try {
                StreamFixture.printInChild(-1);
                System.out.print("partial");
                Forker.Result result = Forker.forkRetryingJvmHangs(() -> { }, StreamFixture::printInChild,
                        Duration.ofSeconds(20), Forker.Capture.NONE);
                assertEquals("ok", StreamFixture.outcome(result), result::toString);
                System.out.flush();
            } finally {
                service.deregister();
                buffered.close();
            }
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.contains("child line"), text);
        return text.split("partial", -1).length - 1;
    }

    private static void forkRepeatedly(int forks, int[] outcomes) {
        for (int i = 0; i < forks; i++) {
            outcomes[StreamFixture.outcomeIndex(Forker.fork(StreamFixture::printInChild, HANG_TIMEOUT))]++;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
