package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.LineCheck;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * System.out into a file while four threads print and children are forked: the file holds only
 * whole lines, each exactly once. System.out is a buffered print stream without autoflush, as a
 * program sets it for speed, so that something is almost always buffered at a fork.
 */
class SystemOutLinesForkTest {

    private static final int WRITERS = 4;
    private static final int CONTROL_FORKS = 20;
    private static final int PROTECTED_FORKS = 50;
    private final AtforkService service = new PosixAtforkService();

    /** System.out is read at each call, so the sink follows {@code register()} and {@code deregister()}. */
    private static final ForkedLines.Sink SYSTEM_OUT = new ForkedLines.Sink() {
        @Override
        public void write(String text) {
            System.out.print(text);
        }

        @Override
        public void writeLine(String line) {
            System.out.println(line);
        }

        @Override
        public void flush() {
            System.out.flush();
        }

        @Override
        public void close() {
            System.out.close();
        }
    };

    @Test
    void childrenForkedWhileFourThreadsPrintLeaveOnlyWholeLinesEachOnce(@TempDir Path dir) throws Exception {
        Run control = run(dir.resolve("unprotected.txt"), false, CONTROL_FORKS, ForkedLines.CONTROL_TIMEOUT);
        Run withProtection = run(dir.resolve("protected.txt"), true, PROTECTED_FORKS, ForkedLines.HANG_TIMEOUT);
        System.err.printf("System.out lines: unprotected %s; %s%n", control.forks.rates(), control.check.summary());
        System.err.printf("System.out lines: protected %s; %s%n", withProtection.forks.rates(), withProtection.check.summary());
        System.err.print(withProtection.forks.jvmHangs());

        assertEquals(0, withProtection.forks.streamHangs, () -> "children hung on System.out: " + withProtection.forks.notes());
        assertEquals(0, withProtection.check.defects(), withProtection.check::toString);
        assertEquals(0, withProtection.check.childDuplicates(), withProtection.check::toString);
        // Control: an unprotected child inherits the buffer and writes what the parent will write too,
        // unless it hangs on the lock a printer held. Tears it does not make: the buffer holds whole lines.
        assertTrue(control.check.defects() + control.forks.streamHangs > 0,
                () -> "the control saw neither repeated lines nor hangs: " + control.check);
    }

    private Run run(Path file, boolean protect, int forkCount, Duration timeout) throws Exception {
        ForkedLines.Forks forks = new ForkedLines.Forks(forkCount);
        long[] written;
        try (StreamFixture fixture = new StreamFixture()) {
            PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(file.toFile())), false,
                    StandardCharsets.UTF_8);
            System.setOut(out);
            if (protect) {
                service.register();
            }
            try {
                ForkedLines.Writers writers = new ForkedLines.Writers(SYSTEM_OUT, WRITERS);
                try {
                    forks.run(SYSTEM_OUT, timeout, false);
                } finally {
                    written = writers.stop();
                }
                System.out.flush();
            } finally {
                service.deregister();
                out.close();
            }
        }
        return new Run(forks, forks.check(file, written));
    }

    private record Run(ForkedLines.Forks forks, LineCheck check) {
    }
}
