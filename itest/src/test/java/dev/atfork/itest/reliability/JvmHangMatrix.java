package dev.atfork.itest.reliability;

import dev.atfork.AtforkService;
import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.testing.DevNull;
import dev.atfork.testing.Forker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * How often children hang in the JVM itself, by JVM option and by child code: one driver launches,
 * round-robin, one JVM per case and parent in each round, each forking through {@link Forker} with
 * the library registered. See BENCHMARKS.md, "Child hangs in the JVM by option and child code".
 * Not a test: surefire does not run it.
 *
 * <p>Driver: {@code JvmHangMatrix run ROUNDS FORKS [PARENTS [CASES]]} (ROUNDS JVMs of FORKS forks
 * per case and parent; PARENTS and CASES are comma-separated names, default all; prints a
 * {@code result ...} line per JVM, then the Markdown table), or
 * {@code JvmHangMatrix table LOG...} (the table of the {@code result} lines in LOG files). Each
 * JVM: {@code child PARENT CHILD FORKS}, which prints {@code key=value} lines.
 */
public final class JvmHangMatrix {

    /**
     * One case: the forking JVM's options and what its children run ({@code plain}:
     * {@link PrintingChild}; {@code concat}: {@link ConcatChild} as built; {@code concat-inline}:
     * the same source compiled with {@code -XDstringConcat=inline}).
     */
    record Case(String name, List<String> options, String child) {
        String describe() {
            String code = switch (child) {
                case "plain" -> "no `+`";
                case "concat" -> "`\"child \" + i` (indy)";
                default -> "`\"child \" + i`, `-XDstringConcat=inline`";
            };
            return (options.isEmpty() ? "" : "`" + String.join(" ", options) + "`, ") + code;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("defaults", List.of(), "plain"),
            new Case("trap-limits-0", List.of("-XX:PerMethodTrapLimit=0", "-XX:PerBytecodeTrapLimit=0"), "plain"),
            new Case("concat", List.of(), "concat"),
            new Case("concat-inline", List.of(), "concat-inline"),
            new Case("serial-gc", List.of("-XX:+UseSerialGC"), "plain"),
            new Case("xlog-disable", List.of("-Xlog:disable"), "plain"));
    /** {@code quiet}: only the forking thread runs; {@code gc}: two threads allocate flat out, as in {@code hangs}. */
    static final List<String> PARENTS = List.of("quiet", "gc");
    /** How long a child may take before it counts as hung: {@code -Dhangmatrix.timeoutMillis} (default 2 000). */
    static final Duration CHILD_TIMEOUT = Duration.ofMillis(Long.getLong("hangmatrix.timeoutMillis", 2_000));
    /** How long a parent runs before its first fork, so that the start of the allocators (and their compilation) is over. */
    private static final long SETTLE_MILLIS = 500;
    /** Where a hung child was, by the markers it wrote. */
    private static final Map<String, String> STEPS = Map.of("", "fork", "B", "step", "BC", "print", "BCA", "exit");

    private JvmHangMatrix() {
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception if a measurement fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: JvmHangMatrix run ROUNDS FORKS | table LOG... | child PARENT CHILD FORKS");
        }
        switch (args[0]) {
            case "child" -> child(args[1], args[2], Integer.parseInt(args[3]));
            case "run" -> run(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    args.length > 3 ? List.of(args[3].split(",")) : PARENTS,
                    args.length > 4 ? List.of(args[4].split(",")) : CASES.stream().map(Case::name).toList());
            case "table" -> {
                List<String> lines = new ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    lines.addAll(Files.readAllLines(Path.of(args[i])));
                }
                System.out.print(table(lines));
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + ": expected run, table or child");
        }
    }

    // ---- driver ----

    private static void run(int rounds, int forks, List<String> parents, List<String> cases) throws Exception {
        for (String parent : parents) {
            if (!PARENTS.contains(parent)) {
                throw new IllegalArgumentException("unknown parent " + parent + ": expected one of " + PARENTS);
            }
        }
        Path inline = compileInline();
        System.out.printf("JDK %s (%s), %d CPUs, %s; child heap %s; child timeout %d ms; %d rounds x %d forks per case%n",
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                BenchmarkJvm.HEAP, CHILD_TIMEOUT.toMillis(), rounds, forks);
        System.out.println("start " + Instant.now() + " loadavg " + loadavg());
        List<String[]> cells = new ArrayList<>();
        for (String parent : parents) {
            for (String name : cases) {
                cells.add(new String[] {parent, caseNamed(name).name()});
            }
        }
        List<String> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < cells.size(); k++) {
                String[] cell = cells.get((k + r) % cells.size()); // a different case first in each round
                Case c = caseNamed(cell[1]);
                List<String> options = new ArrayList<>(BenchmarkJvm.HEAP);
                options.addAll(c.options());
                options.add("-Dhangmatrix.timeoutMillis=" + CHILD_TIMEOUT.toMillis());
                List<String> childArgs = List.of("child", cell[0], c.child(), String.valueOf(forks));
                List<String> command = c.child().equals("concat-inline")
                        ? JavaLauncher.classPathMain(JvmHangMatrix.class, inline, options, childArgs)
                        : JavaLauncher.classPathMain(JvmHangMatrix.class, options, childArgs);
                long timeout = forks * (CHILD_TIMEOUT.toMillis() + 500) / 1000 + 300;
                List<String> out = BenchmarkJvm.run(command, timeout);
                boolean indy = Boolean.parseBoolean(BenchmarkJvm.value(out, "concatIndy"));
                if (c.child().startsWith("concat") && indy != c.child().equals("concat")) {
                    throw new IllegalStateException(c.name() + ": ConcatChild's + is " + (indy ? "" : "not ")
                            + "invokedynamic in " + command);
                }
                StringBuilder line = new StringBuilder("result round=" + (r + 1) + " parent=" + cell[0] + " case=" + c.name());
                for (String key : List.of("forks", "ok", "jvmHangs", "streamHangs", "crashes", "sites", "gcs", "seconds", "loadavg")) {
                    line.append(' ').append(key).append('=').append(BenchmarkJvm.value(out, key));
                }
                String result = line.toString();
                results.add(result);
                System.out.println(result);
                String notes = BenchmarkJvm.value(out, "notes");
                if (!notes.equals("[]")) {
                    System.out.println("notes round=" + (r + 1) + " parent=" + cell[0] + " case=" + c.name() + " " + notes);
                }
            }
        }
        System.out.println("end " + Instant.now() + " loadavg " + loadavg());
        System.out.println();
        System.out.print(table(results));
    }

    private static Case caseNamed(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no case " + name));
    }

    /**
     * Compiles ConcatChild's source again, with {@code -XDstringConcat=inline}, into
     * {@code target/hang-matrix-inline-FEATURE}; the {@code concat-inline} JVMs have it first on
     * their class path.
     */
    private static Path compileInline() throws Exception {
        Path classes = Path.of(JvmHangMatrix.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path source = classes.getParent().getParent()
                .resolve("src/test/java/dev/atfork/itest/reliability/ConcatChild.java");
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("ConcatChild's source not found at " + source);
        }
        Path out = classes.getParent().resolve("hang-matrix-inline-" + Runtime.version().feature());
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "--release", "17", "-XDstringConcat=inline", "-implicit:none",
                "-cp", System.getProperty("java.class.path"), "-d", out.toString(), source.toString());
        if (status != 0) {
            throw new IllegalStateException("javac -XDstringConcat=inline " + source + " failed: " + status);
        }
        return out;
    }

    private static String loadavg() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    // ---- table ----

    /** Sums of one (parent, case) over its JVMs. */
    private static final class Cell {
        long forks;
        long jvmHangs;
        long streamHangs;
        long crashes;
        long gcs;
        double seconds;
        int jvms;
        final List<String> perJvm = new ArrayList<>();
        final Map<String, Integer> sites = new TreeMap<>();
    }

    /** The Markdown table of {@code result} lines: every case against defaults of the same parent. */
    static String table(List<String> lines) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        double loadMin = Double.MAX_VALUE;
        double loadMax = 0;
        for (String line : lines) {
            if (!line.startsWith("result ")) {
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (String field : line.substring("result ".length()).split(" ")) {
                int eq = field.indexOf('=');
                kv.put(field.substring(0, eq), field.substring(eq + 1));
            }
            {
                Cell cell = cells.computeIfAbsent(kv.get("parent") + "/" + kv.get("case"), key -> new Cell());
                cell.forks += Long.parseLong(kv.get("forks"));
                cell.jvmHangs += Long.parseLong(kv.get("jvmHangs"));
                cell.streamHangs += Long.parseLong(kv.get("streamHangs"));
                cell.crashes += Long.parseLong(kv.get("crashes"));
                cell.gcs += Long.parseLong(kv.get("gcs"));
                cell.seconds += Double.parseDouble(kv.get("seconds"));
                cell.jvms++;
                cell.perJvm.add(kv.get("jvmHangs"));
                if (!kv.get("sites").isEmpty()) {
                    for (String site : kv.get("sites").split(",")) {
                        int colon = site.indexOf(':');
                        cell.sites.merge(site.substring(0, colon), Integer.parseInt(site.substring(colon + 1)), Integer::sum);
                    }
                }
            }
            double load = Double.parseDouble(kv.get("loadavg"));
            loadMin = Math.min(loadMin, load);
            loadMax = Math.max(loadMax, load);
        }
        StringBuilder t = new StringBuilder();
        t.append("| parent | case | forks | JVM hangs | per JVM | rate [95 % CI] | where: step/wait | p, more than defaults | p, fewer than defaults | stream hangs, crashes | GC every |\n");
        t.append("| --- | --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: |\n");
        List<String> extra = new ArrayList<>();
        for (String parent : PARENTS) {
            Cell base = cells.get(parent + "/defaults");
            for (Case c : CASES) {
                Cell cell = cells.get(parent + "/" + c.name());
                if (cell == null) {
                    continue;
                }
                double[] ci = Proportions.wilson95(cell.jvmHangs, cell.forks);
                String more = "";
                String fewer = "";
                if (base != null && cell != base) {
                    more = p(Proportions.fisherOneSided(cell.jvmHangs, cell.forks, base.jvmHangs, base.forks));
                    fewer = p(Proportions.fisherOneSided(base.jvmHangs, base.forks, cell.jvmHangs, cell.forks));
                }
                t.append(String.format(Locale.ROOT, "| %s | %s | %d | **%d** | %s | %.1f %% [%.1f–%.1f] | %s | %s | %s | %d, %d | %s |%n",
                        parent.equals("gc") ? "GC-heavy" : parent, c.describe(), cell.forks, cell.jvmHangs,
                        String.join(" ", cell.perJvm), 100.0 * cell.jvmHangs / cell.forks,
                        100 * ci[0], 100 * ci[1], sites(cell.sites), more, fewer, cell.streamHangs, cell.crashes,
                        cell.gcs == 0 ? "–" : String.format(Locale.ROOT, "%.0f ms", cell.seconds * 1000 / cell.gcs)));
            }
            Cell concat = cells.get(parent + "/concat");
            Cell inline = cells.get(parent + "/concat-inline");
            if (concat != null && inline != null) {
                extra.add(String.format(Locale.ROOT, "%s: concat-inline %d/%d vs concat %d/%d, one-sided Fisher p (inline fewer) = %s",
                        parent, inline.jvmHangs, inline.forks, concat.jvmHangs, concat.forks,
                        p(Proportions.fisherOneSided(concat.jvmHangs, concat.forks, inline.jvmHangs, inline.forks))));
            }
        }
        t.append('\n');
        extra.forEach(line -> t.append(line).append('\n'));
        if (loadMax > 0) {
            t.append(String.format(Locale.ROOT, "1-minute load average at the end of each JVM: %.2f–%.2f%n", loadMin, loadMax));
        }
        return t.toString();
    }

    private static String p(double p) {
        return p < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String sites(Map<String, Integer> sites) {
        if (sites.isEmpty()) {
            return "–";
        }
        StringBuilder s = new StringBuilder();
        sites.forEach((site, n) -> s.append(s.length() == 0 ? "" : ", ").append(site).append(' ').append(n));
        return s.toString();
    }

    // ---- child side ----

    /**
     * {@code forks} forks through {@link Forker} ({@link #CHILD_TIMEOUT}, then SIGKILL and
     * {@code /proc} classification) with the library registered and {@code System.out} on
     * /dev/null; both child actions run once in this JVM first (ConcatChild's without its {@code +}),
     * and the parent runs {@link #SETTLE_MILLIS} before the first fork.
     */
    private static void child(String parent, String child, int forks) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        System.setOut(DevNull.printStream());
        AtforkService.load().register();
        Forker.ChildAction plain = PrintingChild.printing("child line");
        plain.run(-1);
        Forker.ChildAction concat = ConcatChild.action();
        concat.run(-1);
        Forker.ChildAction action = switch (child) {
            case "plain" -> plain;
            case "concat", "concat-inline" -> concat;
            default -> throw new IllegalArgumentException("unknown child " + child + ": expected plain, concat or concat-inline");
        };
        AtomicBoolean stop = new AtomicBoolean();
        switch (parent) {
            case "quiet" -> { }
            case "gc" -> Allocators.start(2, stop);
            default -> throw new IllegalArgumentException("unknown parent " + parent + ": expected quiet or gc");
        }
        Thread.sleep(SETTLE_MILLIS);
        long gcBefore = ProcessStats.gcCount();
        long start = System.nanoTime();
        Reliability.Tally tally = new Reliability.Tally();
        Map<String, Integer> sites = new TreeMap<>();
        for (int i = 0; i < forks; i++) {
            ConcatChild.fork = i;
            Forker.Result result = Forker.fork(action, CHILD_TIMEOUT);
            Reliability.Outcome outcome = tally.add(i, result, "BCA");
            if (outcome == Reliability.Outcome.JVM_HANG || outcome == Reliability.Outcome.STREAM_HANG) {
                String step = STEPS.getOrDefault(result.reportText(), result.reportText());
                sites.merge(step + "/" + result.blockedOn(), 1, Integer::sum);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long gcs = ProcessStats.gcCount() - gcBefore;
        stop.set(true);
        out.println("forks=" + forks);
        out.println("ok=" + tally.get(Reliability.Outcome.OK));
        out.println("jvmHangs=" + tally.get(Reliability.Outcome.JVM_HANG));
        out.println("streamHangs=" + tally.get(Reliability.Outcome.STREAM_HANG));
        out.println("crashes=" + tally.get(Reliability.Outcome.CRASH));
        StringBuilder siteList = new StringBuilder();
        sites.forEach((site, n) -> siteList.append(siteList.length() == 0 ? "" : ",").append(site).append(':').append(n));
        out.println("sites=" + siteList);
        out.println("gcs=" + gcs);
        out.printf(Locale.ROOT, "seconds=%.1f%n", seconds);
        out.println("loadavg=" + loadavg().split(" ")[0]);
        out.println("concatIndy=" + concatIsInvokedynamic());
        out.println("notes=" + String.valueOf(tally.notes).replace(' ', '_'));
    }

    /** Whether the ConcatChild on this class path builds its line through StringConcatFactory. */
    private static boolean concatIsInvokedynamic() throws IOException {
        try (InputStream in = ConcatChild.class.getResourceAsStream("ConcatChild.class")) {
            if (in == null) {
                throw new IllegalStateException("ConcatChild.class not found on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("makeConcatWithConstants");
        }
    }
}
