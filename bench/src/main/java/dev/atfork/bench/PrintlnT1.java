package dev.atfork.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link PrintlnBenchmark} on one thread. */
@Threads(1)
public class PrintlnT1 extends PrintlnBenchmark {
}
