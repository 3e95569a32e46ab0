package dev.atfork.bench;

import dev.atfork.AtforkService;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/** Sinks and streams shared by the benchmarks. */
final class Sinks {

    /** A file whose writes are real {@code write(2)} calls that touch no disk. */
    static final String DEV_NULL = "/dev/null";

    private Sinks() {
    }

    /**
     * The byte sink named by a benchmark parameter: {@code devnull}, a {@link FileOutputStream} on
     * {@code /dev/null}, or {@code memory}, {@link OutputStream#nullOutputStream()}.
     */
    static OutputStream open(String sink) throws FileNotFoundException {
        switch (sink) {
            case "devnull":
                return new FileOutputStream(DEV_NULL);
            case "memory":
                return OutputStream.nullOutputStream();
            default:
                throw new IllegalArgumentException("unknown sink: " + sink);
        }
    }

    /** A print stream built the way {@code System.initPhase1} builds {@code System.out}. */
    static PrintStream jdkPrintStream(OutputStream sink, Charset charset) {
        return new PrintStream(new BufferedOutputStream(sink, 128), true, charset);
    }

    /**
     * The charset the library gives its view of {@code System.out}: on JDK 18+ the stream's own,
     * on JDK 17 {@code sun.stdout.encoding} if set, else the default charset. Using it for the
     * JDK stream as well keeps both benchmarks on the same encoder.
     */
    static Charset stdoutCharset() {
        String name = System.getProperty("sun.stdout.encoding");
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : Charset.defaultCharset();
    }

    /** The POSIX provider, or an error: a benchmark of the no-op provider would measure nothing. */
    static AtforkService posixService() {
        AtforkService service = AtforkService.load();
        if (!service.isSupported() || !"posix".equals(service.name())) {
            throw new IllegalStateException("the POSIX provider is needed, got " + service.name() + ": "
                    + service.limitation().orElse("supported"));
        }
        return service;
    }
}
