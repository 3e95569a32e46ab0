package dev.atfork.posix;

import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.Charset;

/** Finds the charset a {@link PrintStream} encodes with. */
final class StreamCharsets {

    /** {@code PrintStream.charset()}, present since JDK 18; null before. */
    private static final MethodHandle CHARSET = findCharsetMethod();

    private StreamCharsets() {
    }

    /**
     * Returns {@code stream.charset()} where the JDK has it. On JDK 17 it returns the charset the
     * JDK gives its own standard stream, named by {@code encodingProperty}, or the default charset.
     */
    static Charset of(PrintStream stream, String encodingProperty) {
        if (CHARSET != null) {
            try {
                return (Charset) CHARSET.invokeExact(stream);
            } catch (Throwable e) {
                throw new IllegalStateException("PrintStream.charset() failed", e);
            }
        }
        String name = encodingProperty == null ? null : System.getProperty(encodingProperty);
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : Charset.defaultCharset();
    }

    /** Tells whether {@code charset} is surely the one {@code stream} encodes with: only where the JDK can say (JDK 18+). */
    static boolean isExact(PrintStream stream, Charset charset) {
        return CHARSET != null && of(stream, null).equals(charset);
    }

    private static MethodHandle findCharsetMethod() {
        try {
            return MethodHandles.publicLookup().findVirtual(PrintStream.class, "charset",
                    MethodType.methodType(Charset.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
