package dev.atfork.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link PrintlnBenchmark} on four threads sharing the stream. */
@Threads(4)
public class PrintlnT4 extends PrintlnBenchmark {
}
