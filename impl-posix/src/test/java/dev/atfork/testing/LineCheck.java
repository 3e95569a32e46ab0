package dev.atfork.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What destinations of {@link KnownLines} hold, against what the parent's writers and the children
 * wrote: torn lines, parent lines repeated or missing, child lines found the wrong number of times.
 * One check may add up several files.
 */
public final class LineCheck {

    private static final int SAMPLES = 5;
    private int lines;
    private int torn;
    private int parentDuplicates;
    private int parentMissing;
    private int childDuplicates;
    private int childMismatches;
    private final List<String> samples = new ArrayList<>();

    /** A check of no file yet. */
    public LineCheck() {
    }

    /** Checks one file; see {@link #add}. */
    public static LineCheck of(Path file, long[] written, int[] expected, int[] elsewhere) throws IOException {
        return new LineCheck().add(file, written, expected, elsewhere);
    }

    /**
     * Adds what {@code file} holds to this check.
     *
     * @param written per parent thread, how many lines it wrote (its lines 0 to n-1)
     * @param expected per child, how often its line must be found: -1 for once or not at all
     * @param elsewhere per child, how often its line was found somewhere else, counted with the file's
     * @return this check
     */
    public LineCheck add(Path file, long[] written, int[] expected, int[] elsewhere) throws IOException {
        String name = file.getFileName().toString();
        BitSet[] seen = new BitSet[written.length];
        for (int t = 0; t < seen.length; t++) {
            seen[t] = new BitSet();
        }
        int[] found = new int[expected.length];
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (!parent(name, line, written, seen) && !child(line, found)) {
                    tear(name, line);
                }
            }
        }
        if (Files.size(file) > 0 && lastByte(file) != '\n') {
            tear(name, "(the destination ends in the middle of a line)");
        }
        for (int t = 0; t < written.length; t++) {
            long missing = written[t] - seen[t].cardinality();
            if (missing > 0) {
                parentMissing += (int) missing;
                sample(name, "writer " + t + " missing " + missing);
            }
        }
        for (int i = 0; i < found.length; i++) {
            int n = found[i] + elsewhere[i];
            if (n > 1) {
                childDuplicates += n - 1;
            }
            boolean right = expected[i] < 0 ? n <= 1 : n == expected[i];
            if (!right) {
                childMismatches++;
                sample(name, "child " + i + ": line found " + n + " times, expected "
                        + (expected[i] < 0 ? "at most once (hung child)" : expected[i]));
            }
        }
        return this;
    }

    private boolean parent(String name, String line, long[] written, BitSet[] seen) {
        int seqEnd = 3 + KnownLines.SEQ_DIGITS;
        if (line.length() != KnownLines.LENGTH - 1 || line.charAt(0) != 'T' || line.charAt(2) != '-') {
            return false;
        }
        int thread = line.charAt(1) - '0';
        long seq;
        try {
            seq = Long.parseLong(line.substring(3, seqEnd));
        } catch (NumberFormatException e) {
            return false;
        }
        if (thread < 0 || thread >= written.length || seq < 0 || seq >= written[thread]
                || !line.equals(KnownLines.parentLine(thread, seq))) {
            return false;
        }
        if (seen[thread].get((int) seq)) {
            parentDuplicates++;
            sample(name, "parent line again: " + line);
        } else {
            seen[thread].set((int) seq);
        }
        return true;
    }

    private static boolean child(String line, int[] found) {
        if (line.length() != KnownLines.LENGTH - 1 || line.charAt(0) != 'C') {
            return false;
        }
        int child;
        try {
            child = Integer.parseInt(line.substring(1, 1 + KnownLines.CHILD_DIGITS));
        } catch (NumberFormatException e) {
            return false;
        }
        if (child < 0 || child >= found.length || !line.equals(KnownLines.childLine(child))) {
            return false;
        }
        found[child]++;
        return true;
    }

    private void tear(String name, String line) {
        torn++;
        sample(name, "torn: " + line);
    }

    private void sample(String name, String text) {
        if (samples.size() < SAMPLES) {
            samples.add(name + ": " + text);
        }
    }

    private static int lastByte(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(raf.length() - 1);
            return raf.read();
        }
    }

    /** Lines read, over all files. */
    public int lines() {
        return lines;
    }

    /** Child lines found more than once (here and elsewhere together), the extra ones. */
    public int childDuplicates() {
        return childDuplicates;
    }

    /** Everything that should not be there, or should be and is not. */
    public int defects() {
        return torn + parentDuplicates + parentMissing + childMismatches;
    }

    /** The counts, without samples. */
    public String summary() {
        return String.format("%d lines: %d torn, %d parent lines repeated, %d missing, %d child lines repeated,"
                        + " %d children with the wrong count", lines, torn, parentDuplicates, parentMissing,
                childDuplicates, childMismatches);
    }

    @Override
    public String toString() {
        return summary() + (samples.isEmpty() ? "" : " " + samples);
    }
}
