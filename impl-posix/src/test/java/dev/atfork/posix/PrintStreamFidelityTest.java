package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atfork.posix.libc.Bindings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fork-safe print stream writes byte for byte what the JDK print stream it wraps writes, for
 * every charset and call pattern: the JDK stream, used bare, is the oracle.
 */
class PrintStreamFidelityTest {

    private static final String[] CHARSETS = {
        "UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "ISO-8859-1", "US-ASCII", "windows-1252",
        "Shift_JIS", "GB18030",
    };
    /** Fixed seeds, plus one fresh seed a run, or the one given with {@code -Dfidelity.seed=...}. */
    private static final long[] FIXED_SEEDS = {1, 2, 3, 0x5eed};
    private static final int CALLS = 400;

    private static final String[] PIECES = {
        "hello", "a", " ", "Zürich", "ß", "é", "€", "¥", "~\\", "日本語", "中文", "한국어", "\uFF5E", "😀", "𠀋",
        "👍🏽", "\uD83D", "\uDE00", "\n", "\r\n", "", "\u0000", "ÿ", "Ω",
    };
    private static final char[] CHARS = {
        'a', 'Z', '0', ' ', '\n', 'é', 'ß', '€', '日', '中', '\uFF5E', '\uD83D', '\uDE00', '\uD840', '\uDC0B', '\u00ff',
    };
    private static final Locale[] LOCALES = {Locale.ROOT, Locale.GERMANY, Locale.JAPAN, Locale.FRANCE, null};

    /** One call, applied alike to the watched and the bare stream. */
    private interface Call {
        void apply(PrintStream out) throws IOException;
    }

    private static final class Step {
        final String description;
        final Call call;

        Step(String description, Call call) {
            this.description = description;
            this.call = call;
        }
    }

    @BeforeAll
    static void bindLibc() {
        // A view's guard calls libc when built; the binding is made when this class is first used.
        assertTrue(PosixAtforkService.supported(), () -> String.valueOf(Bindings.FAILURE));
    }

    static Stream<Arguments> cases() {
        long fresh = Long.getLong("fidelity.seed", System.nanoTime());
        List<Arguments> cases = new ArrayList<>();
        for (String name : CHARSETS) {
            if (!Charset.isSupported(name)) {
                continue;
            }
            for (boolean autoFlush : new boolean[] {false, true}) {
                for (long seed : FIXED_SEEDS) {
                    cases.add(Arguments.of(name, autoFlush, seed));
                }
                cases.add(Arguments.of(name, autoFlush, fresh));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} autoflush={1} seed={2}")
    @MethodSource("cases")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomCallsWriteWhatTheJdkStreamWrites(String charsetName, boolean autoFlush, long seed) throws IOException {
        assertSameBytes(Charset.forName(charsetName), autoFlush, seed, randomSteps(new Random(seed)));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSurrogatePairSplitAcrossTwoCallsIsOneCharacter() throws IOException {
        for (String name : new String[] {"UTF-8", "UTF-16LE", "GB18030"}) {
            if (!Charset.isSupported(name)) {
                continue;
            }
            Charset charset = Charset.forName(name);
            List<Step> steps = List.of(
                    new Step("print(high)", out -> out.print('\uD83D')),
                    new Step("print(low)", out -> out.print('\uDE00')),
                    new Step("append(high)", out -> out.append('\uD83D')),
                    new Step("append(low)", out -> out.append('\uDE00')));
            byte[] watched = assertSameBytes(charset, false, 0, steps);
            assertArrayEquals("😀😀".getBytes(charset), watched, name);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aUtf16StreamWritesOneByteOrderMark() throws IOException {
        List<Step> steps = List.of(
                new Step("print(\"a\")", out -> out.print("a")),
                new Step("print(\"b\")", out -> out.print("b")));
        byte[] watched = assertSameBytes(StandardCharsets.UTF_16, false, 0, steps);
        assertArrayEquals(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, 'a', 0, 'b'}, watched);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void callsThatReturnTheStreamReturnTheView() {
        PrintStream view = Watches.watch(new PrintStream(new ByteArrayOutputStream(), false, StandardCharsets.UTF_8));
        assertSame(view, view.append('x'));
        assertSame(view, view.append("xy"));
        assertSame(view, view.append("xyz", 1, 2));
        assertSame(view, view.printf("%d", 1));
        assertSame(view, view.printf(Locale.ROOT, "%d", 1));
        assertSame(view, view.format("%d", 1));
        assertSame(view, view.format(Locale.ROOT, "%d", 1));
        if (Runtime.version().feature() >= 18) {
            assertEquals(StandardCharsets.UTF_8, ((ForkSafePrintStream) view).charset());
        }
        view.close();
    }

    /** Applies {@code steps} to a watched and a bare JDK stream, comparing their bytes after each; returns the bytes. */
    private static byte[] assertSameBytes(Charset charset, boolean autoFlush, long seed, List<Step> steps)
            throws IOException {
        ByteArrayOutputStream watchedBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream bareBytes = new ByteArrayOutputStream();
        PrintStream watched = Watches.watch(new PrintStream(watchedBytes, autoFlush, charset));
        PrintStream bare = new PrintStream(bareBytes, autoFlush, charset);
        try {
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                step.call.apply(watched);
                step.call.apply(bare);
                if (!Arrays.equals(watchedBytes.toByteArray(), bareBytes.toByteArray())) {
                    fail(mismatch(charset, autoFlush, seed, steps, i, watchedBytes.toByteArray(), bareBytes.toByteArray()));
                }
                assertEquals(bare.checkError(), watched.checkError(), "checkError after call " + i);
            }
            watched.flush();
            bare.flush();
            assertArrayEquals(bareBytes.toByteArray(), watchedBytes.toByteArray(),
                    () -> "charset " + charset + ", autoflush " + autoFlush + ", seed " + seed + ": bytes differ at the end");
            return watchedBytes.toByteArray();
        } finally {
            watched.close();
        }
    }

    private static String mismatch(Charset charset, boolean autoFlush, long seed, List<Step> steps, int failed,
            byte[] watched, byte[] bare) {
        int at = 0;
        while (at < watched.length && at < bare.length && watched[at] == bare[at]) {
            at++;
        }
        StringBuilder message = new StringBuilder()
                .append("charset ").append(charset).append(", autoflush ").append(autoFlush)
                .append(", seed ").append(seed).append(" (rerun with -Dfidelity.seed=").append(seed).append(")")
                .append(": bytes differ after call ").append(failed).append(" of ").append(steps.size())
                .append(", at byte ").append(at)
                .append("\n  watched: ").append(hex(watched, at))
                .append("\n  JDK:     ").append(hex(bare, at))
                .append("\n  calls up to it:");
        for (int i = Math.max(0, failed - 5); i <= failed; i++) {
            message.append("\n    ").append(i).append(": ").append(steps.get(i).description);
        }
        return message.toString();
    }

    private static String hex(byte[] bytes, int at) {
        StringBuilder text = new StringBuilder();
        int from = Math.max(0, at - 8);
        if (from > 0) {
            text.append("... ");
        }
        for (int i = from; i < Math.min(bytes.length, at + 16); i++) {
            text.append(String.format("%02x", bytes[i] & 0xff)).append(i == at - 1 ? " | " : " ");
        }
        return text.append("(").append(bytes.length).append(" bytes)").toString();
    }

    private static List<Step> randomSteps(Random random) {
        List<Step> steps = new ArrayList<>();
        while (steps.size() < CALLS) {
            addRandomStep(random, steps);
        }
        return steps;
    }

    private static void addRandomStep(Random random, List<Step> steps) {
        String text = randomText(random);
        char c = CHARS[random.nextInt(CHARS.length)];
        int i = random.nextInt() >> random.nextInt(32);
        long l = random.nextLong() >> random.nextInt(64);
        float f = random.nextInt(4) == 0 ? Float.NaN : (float) (random.nextGaussian() * 1000);
        double d = random.nextInt(4) == 0 ? -0.0 : random.nextGaussian() * 1e6;
        boolean b = random.nextBoolean();
        Object object = random.nextInt(5) == 0 ? null : new Labelled(text);
        Locale locale = LOCALES[random.nextInt(LOCALES.length)];
        byte[] bytes = new byte[random.nextInt(6)];
        random.nextBytes(bytes);
        int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        int length = random.nextInt(bytes.length - offset + 1);
        int start = text.isEmpty() ? 0 : random.nextInt(text.length());
        int end = start + random.nextInt(text.length() - start + 1);
        int kind = random.nextInt(34);
        switch (kind) {
            case 0: steps.add(new Step("print(char " + hexChar(c) + ")", out -> out.print(c))); break;
            case 1: steps.add(new Step("print(String " + quote(text) + ")", out -> out.print(text))); break;
            case 2: steps.add(new Step("print(boolean " + b + ")", out -> out.print(b))); break;
            case 3: steps.add(new Step("print(int " + i + ")", out -> out.print(i))); break;
            case 4: steps.add(new Step("print(long " + l + ")", out -> out.print(l))); break;
            case 5: steps.add(new Step("print(float " + f + ")", out -> out.print(f))); break;
            case 6: steps.add(new Step("print(double " + d + ")", out -> out.print(d))); break;
            case 7: steps.add(new Step("print(char[] " + quote(text) + ")", out -> out.print(text.toCharArray()))); break;
            case 8: steps.add(new Step("print(Object " + object + ")", out -> out.print(object))); break;
            case 9: steps.add(new Step("println()", PrintStream::println)); break;
            case 10: steps.add(new Step("println(char " + hexChar(c) + ")", out -> out.println(c))); break;
            case 11: steps.add(new Step("println(String " + quote(text) + ")", out -> out.println(text))); break;
            case 12: steps.add(new Step("println(boolean " + b + ")", out -> out.println(b))); break;
            case 13: steps.add(new Step("println(int " + i + ")", out -> out.println(i))); break;
            case 14: steps.add(new Step("println(long " + l + ")", out -> out.println(l))); break;
            case 15: steps.add(new Step("println(float " + f + ")", out -> out.println(f))); break;
            case 16: steps.add(new Step("println(double " + d + ")", out -> out.println(d))); break;
            case 17: steps.add(new Step("println(char[] " + quote(text) + ")", out -> out.println(text.toCharArray()))); break;
            case 18: steps.add(new Step("println(Object " + object + ")", out -> out.println(object))); break;
            case 19: steps.add(new Step("append(char " + hexChar(c) + ")", out -> out.append(c))); break;
            case 20: {
                CharSequence sequence = random.nextInt(6) == 0 ? null : new StringBuilder(text);
                steps.add(new Step("append(CharSequence " + quote(sequence) + ")", out -> out.append(sequence)));
                break;
            }
            case 21: {
                CharSequence sequence = random.nextInt(6) == 0 ? null : text;
                int from = sequence == null ? random.nextInt(3) : start;
                int to = sequence == null ? from + random.nextInt(4 - from) : end;
                steps.add(new Step("append(" + quote(sequence) + ", " + from + ", " + to + ")",
                        out -> out.append(sequence, from, to)));
                break;
            }
            case 22:
                steps.add(new Step("printf(\"%s|%d|%.2f|%c|%b%n\", " + quote(text) + ", ...)",
                        out -> out.printf("%s|%d|%.2f|%c|%b%n", text, i, d, 0x1F600, object)));
                break;
            case 23:
                steps.add(new Step("printf(" + locale + ", \"%,d %e %10.3f %S%n\", ...)",
                        out -> out.printf(locale, "%,d %e %10.3f %S%n", l, d, f, text)));
                break;
            case 24:
                steps.add(new Step("format(\"%-6s|%x\", " + quote(text) + ", ...)",
                        out -> out.format("%-6s|%x", text, i)));
                break;
            case 25:
                steps.add(new Step("format(" + locale + ", \"%tF %,.3f %s\", ...)",
                        out -> out.format(locale, "%tF %,.3f %s", 86_400_000L * 365 * 30, d, text)));
                break;
            case 26: {
                int value = random.nextInt(512) - 128;
                steps.add(new Step("write(int " + value + ")", out -> out.write(value)));
                break;
            }
            case 27:
                steps.add(new Step("write(byte[" + bytes.length + "], " + offset + ", " + length + ")",
                        out -> out.write(bytes, offset, length)));
                break;
            case 28: steps.add(new Step("write(byte[" + bytes.length + "])", out -> out.write(bytes))); break;
            case 29: steps.add(new Step("writeBytes(byte[" + bytes.length + "])", out -> out.writeBytes(bytes))); break;
            case 30: steps.add(new Step("flush()", PrintStream::flush)); break;
            case 31: {
                // A surrogate pair split across two calls, each by print or append.
                String pair = random.nextBoolean() ? "😀" : "𠀋";
                char high = pair.charAt(0);
                char low = pair.charAt(1);
                steps.add(random.nextBoolean()
                        ? new Step("print(high " + hexChar(high) + ")", out -> out.print(high))
                        : new Step("append(high " + hexChar(high) + ")", out -> out.append(high)));
                steps.add(random.nextBoolean()
                        ? new Step("print(low " + hexChar(low) + ")", out -> out.print(low))
                        : new Step("append(low " + hexChar(low) + ")", out -> out.append(low)));
                break;
            }
            case 32: {
                // A pair split by another call between its halves.
                String pair = random.nextBoolean() ? "😀" : "👍";
                char high = pair.charAt(0);
                char low = pair.charAt(1);
                steps.add(new Step("print(high " + hexChar(high) + ")", out -> out.print(high)));
                addRandomStep(random, steps);
                steps.add(new Step("append(low " + hexChar(low) + ")", out -> out.append(low)));
                break;
            }
            default: {
                // A string that ends in a high surrogate, then one that starts with the low one.
                steps.add(new Step("print(\"x\\uD83D\")", out -> out.print("x\uD83D")));
                steps.add(new Step("print(\"\\uDE00y\")", out -> out.print("\uDE00y")));
                break;
            }
        }
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int pieces = random.nextInt(5);
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static String hexChar(char c) {
        return String.format("U+%04X", (int) c);
    }

    private static String quote(CharSequence text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        text.chars().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                quoted.append((char) c);
            } else {
                quoted.append(String.format("\\u%04X", c));
            }
        });
        return quoted.append('"').toString();
    }

    /** An object printed by its {@code toString}. */
    private static final class Labelled {
        private final String label;

        Labelled(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return "obj<".concat(label).concat(">");
        }
    }
}
