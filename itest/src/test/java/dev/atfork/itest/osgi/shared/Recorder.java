package dev.atfork.itest.osgi.shared;

import java.nio.charset.StandardCharsets;

/**
 * A fork-safe log of one-letter marks, shared by the test and its bundles: the OSGi framework's
 * system bundle exports this package from the test's class path. Marking allocates nothing and
 * takes no lock, so hooks may mark in a forked child, and a child action can write {@link #log()}
 * to a pipe. Only the forking thread marks during a fork.
 */
public final class Recorder {

    private static final byte[] LOG = new byte[1024];
    private static int length;

    private Recorder() {
    }

    /**
     * Appends one mark; marks beyond the log's capacity are dropped.
     *
     * @param mark an ASCII letter
     */
    public static void mark(char mark) {
        if (length < LOG.length) {
            LOG[length++] = (byte) mark;
        }
    }

    /** Forgets every mark. */
    public static void reset() {
        length = 0;
    }

    /**
     * Returns the log itself, not a copy, for a child to write without allocating.
     *
     * @return the log; only the first {@link #length()} bytes count
     */
    public static byte[] log() {
        return LOG;
    }

    /**
     * Returns how many marks were made.
     *
     * @return the number of bytes of {@link #log()} in use
     */
    public static int length() {
        return length;
    }

    /**
     * Returns the marks as text.
     *
     * @return the marks so far, in order
     */
    public static String text() {
        return new String(LOG, 0, length, StandardCharsets.US_ASCII);
    }
}
