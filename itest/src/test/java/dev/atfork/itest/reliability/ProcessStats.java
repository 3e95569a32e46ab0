package dev.atfork.itest.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This process's resident size and page-fault counts, from {@code /proc/self}, for the fork-cost
 * benchmark: a fork costs in proportion to the resident memory, and each page written on either
 * side after a fork takes a copy-on-write fault.
 */
final class ProcessStats {

    private ProcessStats() {
    }

    /** Minor faults of this process and of its waited-for children: {@code minflt}, {@code cminflt}. */
    static long[] faults() {
        String stat = read("/proc/self/stat");
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[7]), Long.parseLong(fields[8])};
    }

    /** {@code VmRSS} in KiB. */
    static long residentKiB() {
        for (String line : read("/proc/self/status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /**
     * Prints {@code rssKiB}, {@code parentFaultsPerFork} and, if {@code children}, the waited-for
     * children's {@code childFaultsPerFork} since {@code before}.
     */
    static void printFaultsPerFork(long[] before, int forks, boolean children) {
        long[] after = faults();
        System.out.println("rssKiB=" + residentKiB());
        System.out.printf(Locale.ROOT, "parentFaultsPerFork=%.1f%n", (after[0] - before[0]) / (double) forks);
        if (children) {
            System.out.printf(Locale.ROOT, "childFaultsPerFork=%.1f%n", (after[1] - before[1]) / (double) forks);
        }
    }

    /** Collections so far, summed over this JVM's collectors. */
    static long gcCount() {
        long n = 0;
        for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, bean.getCollectionCount());
        }
        return n;
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
