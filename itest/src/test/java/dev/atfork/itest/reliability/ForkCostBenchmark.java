package dev.atfork.itest.reliability;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.testing.DevNull;
import dev.atfork.testing.Forker;
import dev.atfork.testing.TestLibC;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fork cost, measured in separate JVMs launched alternately by one driver; see BENCHMARKS.md,
 * "Fork cost", for the command and the method. Not a test: surefire does not run it.
 *
 * <p>Driver: {@code ForkCostBenchmark [latency|latency-parent|latency-register|latency-floor|latency-floor-ffm|spawn|spawn-idle|spawn-jna|spawn-ballast|spawn-empty-callbacks|spawn-empty-upcalls|cold|hangs|exit-hangs|all] [rounds]}
 * ({@code exit-hangs ROUNDS FORKS}: FORKS per JVM). Each measurement
 * runs in a child JVM of this class path: {@code child <kind> <variant> ...}, which prints
 * {@code key=value} lines. Child hang rates by JVM option and child code: {@link JvmHangMatrix}.
 */
public final class ForkCostBenchmark {

    /** What a child reports besides its main figure; the driver prints each side's median. */
    private static final List<String> DETAILS = List.of("rssKiB", "parentFaultsPerFork", "childFaultsPerFork");
    /** The spawn variants that {@code spawn-VARIANT} runs against bare; see {@link #spawn}. */
    private static final List<String> SPAWN_VARIANTS = List.of("idle", "jna", "ballast", "empty-callbacks", "empty-upcalls");
    private static final List<String> FORK_LAUNCH = List.of("-Djdk.lang.Process.launchMechanism=FORK");
    private static int counter;
    /** About what JNA and the registered library add to a small JVM's resident size. */
    private static final int BALLAST_BYTES = 10 << 20;
    private static byte[] ballast;

    private ForkCostBenchmark() {
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Throwable if a measurement fails
     */
    public static void main(String[] args) throws Throwable {
        if (args.length > 0 && args[0].equals("child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String what = args.length > 0 ? args[0] : "all";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf("JDK %s (%s), %d CPUs, %s; child heap %s%n", System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), BenchmarkJvm.HEAP);
        if (what.equals("latency") || what.equals("all")) {
            pairs("latency", "registered", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-parent") || what.equals("all")) {
            pairs("latency", "parent-hooks", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-floor")) {
            pairs("latency", "empty-callbacks", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-floor-ffm")) {
            pairs("latency", "empty-upcalls", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-jfr")) {
            pairs("latency", "parent-hooks", "parent-hooks-jfr", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-jfr-nostack")) {
            pairs("latency", "parent-hooks", "parent-hooks-jfr-nostack", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-jfr-disabled")) {
            pairs("latency", "parent-hooks", "parent-hooks-jfr-disabled", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("latency-register") || what.equals("all")) {
            pairs("latency", "register-only", rounds, List.of(), "medianMicros", "500");
        }
        if (what.equals("spawn") || what.equals("all")) {
            pairs("spawn", "registered", rounds, FORK_LAUNCH, "spawnsPerSecond", "300");
        }
        if (what.startsWith("spawn-") && SPAWN_VARIANTS.contains(what.substring("spawn-".length()))) {
            pairs("spawn", what.substring("spawn-".length()), rounds, FORK_LAUNCH, "spawnsPerSecond", "300");
        }
        if (what.equals("cold") || what.equals("all")) {
            cold(rounds);
        }
        if (what.equals("hangs") || what.equals("all")) {
            int forks = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
            for (String parent : List.of("quiet", "gc")) {
                for (String hook : List.of("nohook", "childhook")) {
                    List<String> out = runChild(List.of(), 1_800, "hangs", parent + "-" + hook, String.valueOf(forks));
                    System.out.printf("hangs %s parent, %s: %s%n", parent, hook, String.join(", ", out));
                }
            }
        }
        if (what.equals("exit-hangs")) {
            int forks = args.length > 2 ? Integer.parseInt(args[2]) : 500;
            if (!exitHangs(rounds, forks)) {
                System.exit(1);
            }
        }
    }

    /** The ways a child that hung was blocked, as {@link Forker.Result#blockedOn()} names them. */
    private static final List<String> BLOCKED_ON = List.of("vm-mutex", "lock", "other");

    /**
     * Defect 10: bare and registered JVMs alternately (ABBA), each forking {@code forks} children
     * that {@code _exit(0)} at once; counts the children that hung (1 s bound). Returns false if a
     * one-sided test says the registered side's hang rate is higher than bare's at p &lt; 0.05.
     */
    private static boolean exitHangs(int rounds, int forks) throws Exception {
        long[][] totals = new long[2][2 + BLOCKED_ON.size()]; // forks, hangs, by kind; [0] bare, [1] registered
        List<String> notes = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean bareFirst = r % 2 == 0;
            for (int i = 0; i < 2; i++) {
                boolean isBare = bareFirst == (i == 0);
                String side = isBare ? "bare" : "registered";
                List<String> out = runChild(List.of(), 1_800, "exit-hangs", side, String.valueOf(forks));
                long[] t = totals[isBare ? 0 : 1];
                t[0] += Long.parseLong(value(out, "forks"));
                t[1] += Long.parseLong(value(out, "hangs"));
                for (int k = 0; k < BLOCKED_ON.size(); k++) {
                    t[2 + k] += Long.parseLong(value(out, "hung-" + BLOCKED_ON.get(k)));
                }
                if (Long.parseLong(value(out, "crashes")) != 0) {
                    throw new IllegalStateException(side + " children crashed: " + out);
                }
                if (!value(out, "notes").equals("[]")) {
                    notes.add("round " + (r + 1) + " " + side + ": " + value(out, "notes"));
                }
                System.out.printf(Locale.ROOT, "exit-hangs round %d %s: %s forks, %s hangs (%s), %s s%n", r + 1, side,
                        value(out, "forks"), value(out, "hangs"), value(out, "byKind"), value(out, "seconds"));
            }
        }
        for (int s = 0; s < 2; s++) {
            long[] t = totals[s];
            StringBuilder kinds = new StringBuilder();
            for (int k = 0; k < BLOCKED_ON.size(); k++) {
                kinds.append(k == 0 ? "" : ", ").append(BLOCKED_ON.get(k)).append(' ').append(t[2 + k]);
            }
            System.out.printf(Locale.ROOT, "exit-hangs summary %s: %d forks, %d hangs, rate %.3f %% (%s)%n",
                    s == 0 ? "bare" : "registered", t[0], t[1], 100.0 * t[1] / t[0], kinds);
        }
        notes.forEach(note -> System.out.println("exit-hangs note " + note));
        double z = Proportions.zTestOneSided(totals[1][1], totals[1][0], totals[0][1], totals[0][0]);
        double fisher = Proportions.fisherOneSided(totals[1][1], totals[1][0], totals[0][1], totals[0][0]);
        boolean higher = z < 0.05 || fisher < 0.05;
        System.out.printf(Locale.ROOT, "exit-hangs test registered > bare, one-sided: two-proportion z-test p = %.4f,"
                + " Fisher exact p = %.4f%n", z, fisher);
        System.out.println("exit-hangs verdict: " + (higher
                ? "FAIL: registered children hang more than bare (p < 0.05)"
                : "PASS: no evidence that registered children hang more than bare (p >= 0.05 in both tests)"));
        return !higher;
    }

    /** Runs bare and registered JVMs alternately (ABBA), each round one of each; prints both medians and the ratio. */
    private static void pairs(String kind, String variant, int rounds, List<String> options, String key,
            String... args) throws Exception {
        pairs(kind, "bare", variant, rounds, options, key, args);
    }

    /** As {@link #pairs(String, String, int, List, String, String...)}, against {@code base} rather than bare. */
    private static void pairs(String kind, String base, String variant, int rounds, List<String> options, String key,
            String... args) throws Exception {
        double[] bare = new double[rounds];
        double[] registered = new double[rounds];
        double[] ratios = new double[rounds];
        double[][][] details = new double[2][DETAILS.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            boolean bareFirst = r % 2 == 0;
            for (int i = 0; i < 2; i++) {
                boolean isBare = bareFirst == (i == 0);
                List<String> command = new ArrayList<>(List.of(kind, isBare ? base : variant));
                command.addAll(List.of(args));
                List<String> out = runChild(options, 300, command.toArray(String[]::new));
                (isBare ? bare : registered)[r] = Double.parseDouble(value(out, key));
                for (int d = 0; d < DETAILS.size(); d++) {
                    details[isBare ? 0 : 1][d][r] = Double.parseDouble(value(out, DETAILS.get(d), "NaN"));
                }
            }
            ratios[r] = registered[r] / bare[r];
            System.out.printf(Locale.ROOT, "%s round %d: %s %.1f, %s %.1f %s, ratio %.3f%n", kind, r + 1,
                    base, bare[r], variant, registered[r], key, ratios[r]);
        }
        System.out.printf(Locale.ROOT, "%s summary: %s median of %d JVMs each: %s %.1f, %s %.1f;"
                        + " ratio %s/%s: median of per-round ratios %.3f (min %.3f, max %.3f)%n", kind, key,
                rounds, base, median(bare), variant, median(registered), variant, base, median(ratios), min(ratios),
                max(ratios));
        for (int d = 0; d < DETAILS.size(); d++) {
            System.out.printf(Locale.ROOT, "%s summary: %s median: %s %.1f, %s %.1f%n", kind, DETAILS.get(d),
                    base, median(details[0][d]), variant, median(details[1][d]));
        }
    }

    private static void cold(int rounds) throws Exception {
        double[] bare = new double[rounds];
        double[] registered = new double[rounds];
        double[] bareCall = new double[rounds];
        double[] registeredCall = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean bareFirst = r % 2 == 0;
            for (int i = 0; i < 2; i++) {
                boolean isBare = bareFirst == (i == 0);
                long start = System.nanoTime();
                List<String> out = runChild(List.of(), 60, "cold", isBare ? "bare" : "registered");
                // The child prints "ready" as soon as the call returned; runChild records when that line came.
                double millis = (Long.parseLong(value(out, "readyAtNanos")) - start) / 1e6;
                double callMillis = Double.parseDouble(value(out, "callMillis"));
                (isBare ? bare : registered)[r] = millis;
                (isBare ? bareCall : registeredCall)[r] = callMillis;
            }
            System.out.printf(Locale.ROOT, "cold round %d: JNA only %.1f ms (call %.1f), register() %.1f ms (call %.1f)%n",
                    r + 1, bare[r], bareCall[r], registered[r], registeredCall[r]);
        }
        System.out.printf(Locale.ROOT, "cold summary: median of %d launches each, from process start to the call"
                        + " returning: JNA only %.1f ms, AtforkService.load().register() %.1f ms, extra %.1f ms;"
                        + " the call alone: %.1f ms vs %.1f ms%n", rounds, median(bare), median(registered),
                median(registered) - median(bare), median(bareCall), median(registeredCall));
    }

    // ---- child side ----

    private static void child(String[] args) throws Throwable {
        switch (args[0]) {
            case "latency" -> latency(args[1], Integer.parseInt(args[2]));
            case "spawn" -> spawn(args[1], Integer.parseInt(args[2]));
            case "cold" -> coldChild(args[1].equals("registered"));
            case "exit-hangs" -> exitHangsChild(args[1].equals("registered"), Integer.parseInt(args[2]));
            case "hangs" -> hangs(args[1].startsWith("gc"), args[1].endsWith("childhook"), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * fork + _exit + waitpid of this JVM. {@code registered}: standard streams protected and 3 hooks
     * of each kind; {@code parent-hooks}: the same without the child hooks, so no Java runs in the
     * child; {@code register-only}: {@code register()} and no hook; {@code empty-callbacks}: not the library, but three JNA callbacks that do nothing,
     * installed as glibc fork handlers: the floor of any JNA-based binding; {@code empty-upcalls}: the
     * same as FFM upcall stubs ({@link EmptyUpcalls}, JDK 22+), the floor of any FFM-based binding; {@code parent-hooks-jfr}:
     * parent hooks while a JFR recording of this JVM enables {@code dev.atfork.Fork} and nothing else
     * ({@code -nostack}: without its stack trace; {@code -disabled}: a recording that runs with
     * the event disabled, what JFR alone costs), counted after the measured loop.
     */
    private static void latency(String variant, int forks) throws Throwable {
        ForkEventRecording recording = variant.contains("-jfr")
                ? new ForkEventRecording(!variant.endsWith("-disabled"), variant.endsWith("-nostack")) : null;
        TestLibC.getpid(); // JNA and the direct mapping are loaded on both sides
        if (variant.equals("empty-callbacks")) {
            EmptyForkHandlers.install(true);
        } else if (variant.equals("empty-upcalls")) {
            EmptyUpcalls.install(true);
        } else if (!variant.equals("bare")) {
            AtforkService service = AtforkService.load();
            service.register();
            for (int i = 0; i < 3 && !variant.equals("register-only"); i++) {
                service.preFork(ForkCostBenchmark::count);
                service.afterForkParent(ForkCostBenchmark::count);
                if (variant.equals("registered")) {
                    service.afterForkChild(ForkCostBenchmark::count);
                }
            }
            System.out.println("provider=" + service);
        }
        int warmUp = forks / 2;
        long[] nanos = new long[forks];
        int[] status = new int[1];
        long[] faults = null;
        for (int i = -warmUp; i < forks; i++) {
            if (i == 0) {
                faults = ProcessStats.faults();
            }
            long start = System.nanoTime();
            int pid = TestLibC.fork();
            if (pid == 0) {
                TestLibC._exit(0);
            }
            // A child hung in the JVM would block this wait: give up on it after 5 s.
            long deadline = start + 5_000_000_000L;
            while (TestLibC.waitpid(pid, status, TestLibC.WNOHANG) == 0) {
                if (System.nanoTime() > deadline) {
                    TestLibC.kill(pid, TestLibC.SIGKILL);
                    TestLibC.waitpid(pid, status, 0);
                    System.out.println("killedChild=" + pid);
                    break;
                }
                Thread.onSpinWait();
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - start;
            }
        }
        ProcessStats.printFaultsPerFork(faults, forks, true);
        if (recording != null) {
            System.out.println("jfrEvents=" + recording.stopAndCount());
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "medianMicros=%.1f%n", nanos[forks / 2] / 1e3);
        System.out.printf(Locale.ROOT, "p90Micros=%.1f%n", nanos[forks * 9 / 10] / 1e3);
        System.out.println("hookRuns=" + counter);
    }

    private static void count() {
        counter++;
    }

    /**
     * ProcessBuilder spawns of {@code true} per second. {@code registered}: 3 preFork and 3
     * afterForkParent hooks; {@code idle}: the same, then {@code deregister()}, so the native
     * handlers are installed but do nothing; {@code jna}: only JNA loaded, as for the cold start;
     * {@code ballast}: not the library, but {@link #BALLAST_BYTES} of heap written, to show what a
     * larger resident size alone costs a fork; {@code empty-callbacks} and {@code empty-upcalls}:
     * the floors of a JNA and of an FFM binding, as in {@link #latency} but with no child handler, as
     * the library installs none without a child hook: Java in every child could hang a spawn.
     */
    private static void spawn(String variant, int spawns) throws Throwable {
        if (variant.equals("ballast")) {
            ballast = new byte[BALLAST_BYTES];
            Arrays.fill(ballast, (byte) 1);
        } else if (variant.equals("jna")) {
            Native.register(ColdLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            ColdLibC.getpid();
        } else if (variant.equals("empty-callbacks")) {
            EmptyForkHandlers.install(false);
        } else if (variant.equals("empty-upcalls")) {
            EmptyUpcalls.install(false);
        } else if (!variant.equals("bare")) {
            AtforkService service = AtforkService.load();
            service.register();
            for (int i = 0; i < 3; i++) {
                service.preFork(ForkCostBenchmark::count);
                service.afterForkParent(ForkCostBenchmark::count);
            }
            if (variant.equals("idle")) {
                service.deregister();
            }
        }
        for (int i = 0; i < spawns / 3; i++) {
            spawnTrue();
        }
        long[] faults = ProcessStats.faults();
        long start = System.nanoTime();
        for (int i = 0; i < spawns; i++) {
            spawnTrue();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ProcessStats.printFaultsPerFork(faults, spawns, false);
        System.out.printf(Locale.ROOT, "spawnsPerSecond=%.1f%n", spawns / seconds);
        System.out.println("hookRuns=" + counter);
        System.out.println("launchMechanism=" + System.getProperty("jdk.lang.Process.launchMechanism"));
    }

    private static void spawnTrue() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("true").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("spawn failed");
        }
    }

    /** Fork handlers that do nothing, bound as the library binds its own (glibc only). */
    static final class EmptyForkHandlers {
        /** A C function {@code void (*)(void)}. */
        interface Handler extends Callback {
            void invoke();
        }

        static final Handler PREPARE = () -> { };
        static final Handler PARENT = () -> { };
        static final Handler CHILD = () -> { };

        static native int __register_atfork(Handler prepare, Handler parent, Handler child, Pointer dsoHandle);

        /** {@code child}: whether to register the child handler too; without it no Java runs in a child. */
        static void install(boolean child) {
            Native.register(EmptyForkHandlers.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            for (Handler handler : new Handler[] {PREPARE, PARENT, CHILD}) {
                handler.invoke();
            }
            if (__register_atfork(PREPARE, PARENT, child ? CHILD : null, null) != 0) {
                throw new IllegalStateException("__register_atfork failed");
            }
        }
    }

    /** A trivial JNA binding, the baseline of the cold start. */
    static final class ColdLibC {
        static native int getpid();
    }

    private static void coldChild(boolean registered) {
        long start = System.nanoTime();
        if (registered) {
            AtforkService.load().register();
        } else {
            Native.register(ColdLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            ColdLibC.getpid();
        }
        long call = System.nanoTime() - start;
        System.out.println("ready=1");
        System.out.printf(Locale.ROOT, "callMillis=%.2f%n", call / 1e6);
    }

    /**
     * N forks whose child prints a line to the protected System.out between markers; counts why
     * children did not end: a stream lock or the JVM itself. {@code gc}: two threads allocate hard.
     */
    private static void hangs(boolean gc, boolean childHook, int forks) throws Exception {
        System.setOut(DevNull.printStream());
        AtforkService service = AtforkService.load();
        service.register();
        if (childHook) {
            service.afterForkChild(ForkCostBenchmark::count);
        }
        Forker.ChildAction action = PrintingChild.printing("child line");
        action.run(-1);
        AtomicBoolean stop = new AtomicBoolean();
        if (gc) {
            Allocators.start(2, stop);
        }
        long gcBefore = ProcessStats.gcCount();
        long start = System.nanoTime();
        Reliability.Tally tally = new Reliability.Tally();
        for (int i = 0; i < forks; i++) {
            tally.add(i, Forker.fork(action, Duration.ofSeconds(1)), "BCA");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long gcs = ProcessStats.gcCount() - gcBefore;
        stop.set(true);
        PrintStream out = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true);
        out.println("forks=" + forks);
        out.println("ok=" + tally.get(Reliability.Outcome.OK));
        out.println("streamHangs=" + tally.get(Reliability.Outcome.STREAM_HANG));
        out.println("jvmHangs=" + tally.get(Reliability.Outcome.JVM_HANG));
        out.println("crashes=" + tally.get(Reliability.Outcome.CRASH));
        out.printf(Locale.ROOT, "gcEveryMillis=%.1f%n", gcs == 0 ? Double.NaN : seconds * 1000 / gcs);
        out.println("notes=" + tally.notes);
    }

    /**
     * {@code forks} children through {@link Forker} whose action returns 0 at once, so the child
     * calls {@code _exit(0)} right after {@code fork()}; 1 s bound, then SIGKILL and
     * {@code blockedOn}. Both sides: JNA loaded, System.out on /dev/null, two threads printing to it
     * meanwhile. Registered: {@code AtforkService.load().register()}, no hooks (so the threads print
     * through the protected stream).
     */
    private static void exitHangsChild(boolean registered, int forks) throws Exception {
        PrintStream stdout = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true);
        System.setOut(DevNull.printStream());
        TestLibC.getpid(); // JNA and the direct mapping loaded on both sides
        if (registered) {
            AtforkService.load().register();
        }
        Forker.ChildAction action = fd -> 0;
        action.run(-1);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> printers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int id = i;
            Thread printer = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    System.out.println("printer " + id + " line " + n++);
                    if (n % 16 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    }
                }
            }, "printer-" + i);
            printer.setDaemon(true);
            printer.start();
            printers.add(printer);
        }
        Thread.sleep(200);
        long start = System.nanoTime();
        int hangs = 0;
        int crashes = 0;
        int[] byKind = new int[BLOCKED_ON.size()];
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < forks; i++) {
            Forker.Result result = Forker.fork(action, Duration.ofSeconds(1));
            if (result.hung()) {
                hangs++;
                int kind = BLOCKED_ON.indexOf(result.blockedOn());
                byKind[kind < 0 ? BLOCKED_ON.size() - 1 : kind]++;
                if (notes.size() < 5) {
                    notes.add("fork " + i + " hung on " + result.blockedOn());
                }
            } else if (result.exitStatus() != 0) {
                crashes++;
                if (notes.size() < 5) {
                    notes.add("fork " + i + " exit " + result.exitStatus());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread printer : printers) {
            printer.join(5_000);
        }
        stdout.println("forks=" + forks);
        stdout.println("hangs=" + hangs);
        StringBuilder kinds = new StringBuilder();
        for (int k = 0; k < BLOCKED_ON.size(); k++) {
            stdout.println("hung-" + BLOCKED_ON.get(k) + "=" + byKind[k]);
            kinds.append(k == 0 ? "" : " ").append(BLOCKED_ON.get(k)).append(':').append(byKind[k]);
        }
        stdout.println("byKind=" + kinds);
        stdout.println("crashes=" + crashes);
        stdout.printf(Locale.ROOT, "seconds=%.1f%n", seconds);
        stdout.println("notes=" + notes);
    }

    // ---- driver helpers ----

    /** Runs {@code child args} in a new JVM; see {@link BenchmarkJvm#run}. */
    private static List<String> runChild(List<String> options, long timeoutSeconds, String... args) throws Exception {
        List<String> jvmOptions = new ArrayList<>(BenchmarkJvm.HEAP);
        jvmOptions.addAll(options);
        List<String> childArgs = new ArrayList<>(List.of("child"));
        childArgs.addAll(List.of(args));
        return BenchmarkJvm.run(JavaLauncher.classPathMain(ForkCostBenchmark.class, jvmOptions, childArgs),
                timeoutSeconds);
    }

    private static String value(List<String> lines, String key) {
        return BenchmarkJvm.value(lines, key);
    }

    private static String value(List<String> lines, String key, String otherwise) {
        return BenchmarkJvm.value(lines, key, otherwise);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
