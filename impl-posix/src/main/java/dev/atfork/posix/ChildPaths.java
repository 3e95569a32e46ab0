package dev.atfork.posix;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.Charset;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every path of the library's that can run in a forked child, driven in the parent. A child must
 * not load a class, link a call site or deoptimise: each can wait for a JVM lock that a thread
 * gone in the child held. So {@link #warmUpStreams} and {@link #warmUpChildHooks} run each path
 * once before a fork can take it, and {@link #profile} runs each branch that only a child takes,
 * in the {@linkplain ForkPathWarmUp warm-up} of the fork path (or, where none ran, in every
 * prepare phase), so that the JIT never compiles it as never taken (a trap the child would hit). Code compiled before the first fork, while a branch was still unrecorded, traps in
 * the prepare phase, in the parent, where a deoptimisation is safe. A path added to what a child
 * runs is added here.
 */
final class ChildPaths {

    /** A guard of the library's own, recovered in every parent phase as a child recovers one. */
    private static final StreamGuard<OutputStream> RECOVERED =
            new StreamGuard<>(OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), null);
    private static final RuntimeException HOOK_FAILURE = new IllegalStateException("warm-up");

    private ChildPaths() {
    }

    /**
     * Once, before the native handlers are installed: each view's write path on throwaway guards,
     * a stream's recovery both ways, and a settler ready for the first fork.
     */
    static void warmUpStreams() {
        OutputStream sink = OutputStream.nullOutputStream();
        PrintStream printSink = new PrintStream(sink);
        try {
            ForkSafePrintStream print = new ForkSafePrintStream(new StreamGuard<>(printSink, printSink, "warm-up"),
                    Charset.defaultCharset());
            print.print("");
            print.println("");
            print.println();
            print.write(new byte[1], 0, 1);
            print.flush();
            new ForkSafeOutputStream(new StreamGuard<>(sink, sink, "warm-up")).write(new byte[1], 0, 1);
            OutputStream buffered = new UnsynchronizedBuffer(sink);
            ForkSafeOutputStream bufferedView = new ForkSafeOutputStream(new StreamGuard<>(buffered, buffered, "warm-up"));
            bufferedView.write(new byte[1], 0, 1);
            bufferedView.write(new byte[UnsynchronizedBuffer.SIZE], 0, UnsynchronizedBuffer.SIZE);
            bufferedView.write(0);
            bufferedView.flush();
            ForkSafeWriter writer = new ForkSafeWriter(new StreamGuard<>(Writer.nullWriter(), Writer.nullWriter(), "warm-up"));
            writer.write("x");
            writer.flush();
        } catch (IOException e) {
            throw new IllegalStateException("warm-up of the fork-safe streams failed", e);
        }
        Settler.warmUp();
        profile(); // a stream settled for the fork: the target kept
        new StreamGuard<>(sink, sink, "warm-up").recoverInChild(-1, -1); // not settled: the spare, a report to no fd
    }

    /** Once, before the native child handler is installed: the child phase, its hooks and their failure report. */
    static void warmUpChildHooks(ForkDispatcher dispatcher) {
        dispatcher.child(new ForkFrame(0, new Runnable[0], new Runnable[] {() -> { }}));
        ForkDispatcher.runInChild(new Runnable[] {ChildPaths::fail}, -1);
        profile();
    }

    /**
     * In a prepare phase, before the fork: the branches only a child takes. A stream's recovery
     * that keeps its target (its other side, a forced release, ran at warm-up), the in-flight
     * count of another process, a child hook's check of its client, both ways, and the JFR
     * recorder's branches of a fork in a child.
     */
    static void profile() {
        ReentrantLock held = RECOVERED.lockForFork(System.nanoTime());
        if (held != null) { // another thread's prepare phase may be at it
            RECOVERED.settled = true;
            RECOVERED.pid = 0;
            RECOVERED.epoch = -1;
            RECOVERED.lock().unlock();
            held.unlock();
        }
        ForkHandover.noForkInFlight(-1); // no process is -1
        ForkClient.profileBothWays();
        ForkRecorder.profile(); // a child's fork records no JFR event
    }

    private static void fail() {
        throw HOOK_FAILURE;
    }
}
