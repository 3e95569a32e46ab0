package dev.atfork.testing;

/**
 * Lines of known content that threads of a parent and forked children write, so that
 * {@link LineCheck} can tell whole lines from torn ones and count each.
 *
 * <p>Every line is {@value #LENGTH} bytes with its newline, a size that divides every buffer size
 * of the JDK's streams (512 to 8192), so a stream's own chunking never splits a line.
 */
public final class KnownLines {

    /** Bytes in a line, its newline included. */
    public static final int LENGTH = 64;
    /** Digits of a parent line's sequence number. */
    static final int SEQ_DIGITS = 9;
    /** Digits of a child's number. */
    static final int CHILD_DIGITS = 5;
    private static final String FILLER = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";

    private KnownLines() {
    }

    /** Line {@code seq} of parent thread {@code thread} (0 to 9), without its newline. */
    public static String parentLine(int thread, long seq) {
        return fill("T".concat(Integer.toString(thread)).concat("-").concat(pad(seq, SEQ_DIGITS)).concat("-"));
    }

    /** The line of child {@code child}, without its newline. */
    public static String childLine(int child) {
        return fill("C".concat(pad(child, CHILD_DIGITS)).concat("-"));
    }

    private static String fill(String prefix) {
        return prefix.concat(FILLER.substring(0, LENGTH - 1 - prefix.length()));
    }

    private static String pad(long n, int width) {
        String digits = Long.toString(n);
        return "0".repeat(width - digits.length()).concat(digits);
    }
}
