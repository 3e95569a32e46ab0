package dev.atfork.bench;

import dev.atfork.AtforkService;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code write(byte[])} of a {@link BufferedOutputStream} with an 8 KiB buffer over a
 * {@link FileOutputStream} on {@code /dev/null}: {@code raw} writes to it, {@code watched} to its
 * view from {@link AtforkService#watch(OutputStream)}. The buffer reaches the file every
 * {@code 8192 / size} writes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class WatchedBufferedStream {

    /** Bytes per write: a log line, and a larger record. */
    @Param({"80", "1024"})
    public int size;

    private byte[] bytes;
    private OutputStream raw;
    private OutputStream watched;
    private AtforkService service;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        bytes[size - 1] = '\n';
        service = Sinks.posixService();
        service.register();
        raw = new BufferedOutputStream(new FileOutputStream(Sinks.DEV_NULL), 8192);
        watched = service.watch(new BufferedOutputStream(new FileOutputStream(Sinks.DEV_NULL), 8192));
        if (watched instanceof BufferedOutputStream) {
            throw new IllegalStateException("watch() returned the stream itself");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        raw.close();
        watched.close();
        service.deregister();
    }

    @Benchmark
    public void raw() throws IOException {
        raw.write(bytes);
    }

    @Benchmark
    public void watched() throws IOException {
        watched.write(bytes);
    }
}
