package dev.atfork.bench;

import dev.atfork.AtforkService;
import java.io.PrintStream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code println(String)} of the fork-safe {@code System.out} against the JDK's own print stream
 * over the same sink. The subclasses fix the thread count; all threads share one stream, as all
 * threads of a program share {@code System.out}.
 *
 * <p>{@code jdk} writes to a print stream built like the JDK's {@code System.out}. {@code forkSafe}
 * writes to the view the library installs as {@code System.out} when that very stream was
 * {@code System.out} at {@code register()}: the view takes its lock, then calls the JDK stream's
 * own {@code println}, which encodes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public abstract class PrintlnBenchmark {

    /** A typical log line, 78 characters of ASCII; the line separator is added by {@code println}. */
    static final String LINE = "12:34:56.789 INFO  [worker-3] d.a.b.PrintlnBenchmark - request 4711 done, 12ms";

    /** {@code devnull}: a FileOutputStream on /dev/null, one write(2) per line; {@code memory}: no I/O at all. */
    @Param({"devnull", "memory"})
    public String sink;

    /** Not final, so the JIT cannot treat the line as a constant. */
    public String line = LINE;

    private PrintStream jdk;
    private PrintStream forkSafe;
    private PrintStream originalOut;
    private AtforkService service;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        jdk = Sinks.jdkPrintStream(Sinks.open(sink), Sinks.stdoutCharset());
        service = Sinks.posixService();
        originalOut = System.out;
        System.setOut(jdk);
        service.register();
        forkSafe = System.out;
        if (forkSafe == jdk || !forkSafe.getClass().getName().equals("dev.atfork.posix.ForkSafePrintStream")) {
            throw new IllegalStateException("register() did not install a fork-safe System.out: " + forkSafe.getClass());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.deregister();
        System.setOut(originalOut);
        if (jdk.checkError()) {
            throw new IllegalStateException("the JDK stream saw an I/O error");
        }
        jdk.close();
    }

    @Benchmark
    public void jdk() {
        jdk.println(line);
    }

    @Benchmark
    public void forkSafe() {
        forkSafe.println(line);
    }
}
