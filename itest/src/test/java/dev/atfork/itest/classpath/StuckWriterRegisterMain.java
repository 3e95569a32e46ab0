package dev.atfork.itest.classpath;

import dev.atfork.AtforkService;
import dev.atfork.testing.TestLibC;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Watches a stream on a pipe that nobody reads, leaves a thread stuck writing to it (holding the
 * view's lock), then times the first {@link AtforkService#register()}, whose warm-up of the fork
 * path takes that lock at every run. Prints {@code registerMillis=N}.
 */
public final class StuckWriterRegisterMain {

    private StuckWriterRegisterMain() {
    }

    /**
     * Entry point.
     *
     * @param args none
     * @throws Exception if the pipe cannot be made
     */
    public static void main(String[] args) throws Exception {
        AtforkService service = AtforkService.load();
        int[] fds = new int[2];
        if (TestLibC.pipe(fds) != 0) {
            throw new IOException("pipe failed");
        }
        OutputStream view = service.watch(new FileOutputStream("/proc/self/fd/" + fds[1]));
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[4096];
            try {
                for (;;) {
                    view.write(chunk); // blocks for good once the pipe is full
                }
            } catch (IOException e) {
                System.out.println("writer=" + e);
            }
        }, "stuck-writer");
        writer.setDaemon(true);
        writer.start();
        while (writer.getState() != Thread.State.RUNNABLE || !blockedInWrite(writer)) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        service.register();
        System.out.println("registerMillis=" + (System.nanoTime() - start) / 1_000_000);
    }

    /** Tells whether {@code writer} is inside a native write: the pipe is full. */
    private static boolean blockedInWrite(Thread writer) {
        for (StackTraceElement frame : writer.getStackTrace()) {
            if (frame.isNativeMethod() && frame.getMethodName().startsWith("write")) {
                return true;
            }
        }
        return false;
    }
}
