package dev.atfork.itest.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.ForkListener;
import dev.atfork.itest.osgi.consumer.HookingConsumer;
import dev.atfork.itest.osgi.intruder.SwitchIntruder;
import dev.atfork.itest.osgi.listener.RecordingListener;
import dev.atfork.itest.osgi.shared.Recorder;
import dev.atfork.itest.support.Artifacts;
import dev.atfork.itest.support.TestBinding;
import dev.atfork.testing.Forker;
import dev.atfork.testing.TestLibC;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The OSGi way in: the built bundles in a real Apache Felix with Felix SCR, a DS consumer bundle
 * and a whiteboard {@link dev.atfork.ForkListener} bundle, and real forks of this JVM. Tagged
 * {@code own-jvm}: the build runs it in a JVM where the class path's copy of atfork never registered,
 * since only one copy serves a process.
 */
@Tag("own-jvm")
class OsgiWaysInTest {

    private static final String API = "dev.atfork";
    private static final String POSIX = "dev.atfork.posix";
    private static final String NOOP = "dev.atfork.noop";
    private static final String CONSUMER = "dev.atfork.itest.consumer";
    private static final String LISTENER = "dev.atfork.itest.listener";
    private static final String INTRUDER = "dev.atfork.itest.intruder";
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(10);

    /** What a child writes to the report pipe: the marks the hooks made, no allocation. */
    private static final Forker.ChildAction REPORT_MARKS = fd -> {
        TestLibC.write(fd, Recorder.log(), Recorder.length());
        return 0;
    };

    @TempDir
    static Path dir;
    private static OsgiFramework osgi;
    private static List<Bundle> installed;

    @BeforeAll
    static void startFramework() throws Exception {
        String owner = System.getProperty("dev.atfork.owner");
        assertNull(owner, () -> "the class path's atfork serves this JVM's forks, so the bundles' copy stays idle;"
                + " run the OSGi tests in a JVM of their own (itest's surefire execution osgi): " + owner);
        Path consumer = TestBundles.build(dir.resolve("consumer.jar"), CONSUMER,
                HookingConsumer.class.getPackageName(), HookingConsumer.class);
        Path listener = TestBundles.build(dir.resolve("listener.jar"), LISTENER,
                RecordingListener.class.getPackageName(), RecordingListener.class);
        osgi = new OsgiFramework(dir.resolve("felix-cache"));
        installed = osgi.installAndStart(Artifacts.jar("function"), Artifacts.jar("promise"), Artifacts.jar("component"),
                Artifacts.jar("scr"),
                Artifacts.jar("jna"), Artifacts.jar("api"), Artifacts.jar("noop"), Artifacts.jar("posix"),
                consumer, listener);
        REPORT_MARKS.run(-1); // the child action's code runs once in the parent first
    }

    @AfterAll
    static void stopFramework() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @BeforeEach
    void everythingIsUp() throws Exception {
        awaitPosixInUse();
        Recorder.reset();
    }

    /** Waits until the consumer has posix, and posix's whiteboard has the listener and runs its hooks. */
    private static void awaitPosixInUse() throws InterruptedException {
        OsgiFramework.await("the consumer to get posix", () -> "posix".equals(consumerProvider()));
        OsgiFramework.await("the whiteboard to get the listener", () -> {
            ServiceReference<?> listener = listenerService();
            Bundle[] users = listener == null ? null : listener.getUsingBundles();
            return users != null && Arrays.asList(users).contains(osgi.bundle(POSIX));
        });
        // DS gets the listener service before its bind method has added the hooks, one by one: wait
        // for the effect of the last, the child hook, as well.
        OsgiFramework.await("the listener's hooks to run at a fork", () -> {
            String childMarks = forkAndReport().reportText();
            String parentMarks = Recorder.text();
            return parentMarks.indexOf('a') >= 0 && parentMarks.indexOf('p') >= 0 && childMarks.indexOf('c') >= 0;
        });
    }

    @Test
    void everyBundleResolvesAndStartsWithEveryImportWired() {
        for (Bundle bundle : installed) {
            assertEquals(Bundle.ACTIVE, bundle.getState(), bundle.getSymbolicName() + " is not active");
            BundleWiring wiring = bundle.adapt(BundleWiring.class);
            assertNotNull(wiring, bundle.getSymbolicName() + " is not resolved");
            List<String> unwired = new ArrayList<>();
            for (BundleRequirement imported : wiring.getRequirements(BundleRevision.PACKAGE_NAMESPACE)) {
                // Optional and dynamic imports may stay unwired.
                String resolution = imported.getDirectives().getOrDefault("resolution", "mandatory");
                boolean wired = wiring.getRequiredWires(BundleRevision.PACKAGE_NAMESPACE).stream()
                        .anyMatch(wire -> wire.getRequirement().equals(imported));
                if (resolution.equals("mandatory") && !wired) {
                    unwired.add(imported.toString());
                }
            }
            assertEquals(List.of(), unwired, bundle.getSymbolicName() + " has unwired imports");
        }
        // The posix bundle gets dev.atfork from the api bundle, not from the class path via the system bundle.
        for (BundleWire wire : osgi.bundle(POSIX).adapt(BundleWiring.class)
                .getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            if (wire.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE).equals("dev.atfork")) {
                assertEquals(API, wire.getProvider().getSymbolicName());
            }
        }
        Set<String> systemExports = systemExports();
        assertTrue(systemExports.contains(OsgiFramework.SHARED_PACKAGE), "the test's shared package is exported");
        assertTrue(systemExports.stream().noneMatch(name -> name.startsWith("dev.atfork.")
                && !name.equals(OsgiFramework.SHARED_PACKAGE) || name.equals("dev.atfork")), systemExports::toString);
    }

    /**
     * Felix exports {@code jdk.jfr} by default, and the posix bundle's optional import of it is
     * wired; but JFR's instrumentation of an event class links to JFR's internal packages from the
     * class's own loader, which a bundle's loader does not see: registering the event fails, the
     * recorder stays off, and the fork goes on without an event. {@link OsgiJfrTest} checks the
     * framework that delegates those packages, and the one that does not export {@code jdk.jfr}.
     */
    @Test
    @Timeout(60)
    void withFelixDefaultsTheForkGoesOnAndRecordsNothing() throws Exception {
        boolean exported = systemExports().contains("jdk.jfr");
        boolean wired = osgi.bundle(POSIX).adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)
                .stream().anyMatch(wire -> "jdk.jfr".equals(wire.getCapability().getAttributes()
                        .get(BundleRevision.PACKAGE_NAMESPACE)));
        assertTrue(exported, "Felix exports jdk.jfr by default");
        assertTrue(wired, "the optional import of jdk.jfr is wired where it is exported");
        Path file = dir.resolve("osgi-forks.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.atfork.Fork");
            recording.start();
            Forker.Result result = forkAndReport();
            assertTrue(result.exited(0), result::toString);
            assertEquals("APap", sorted(Recorder.text()), "marks made in the parent");
            recording.stop();
            recording.dump(file);
        }
        long events = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("dev.atfork.Fork")).count();
        assertEquals(0, events, "dev.atfork.Fork events, which this framework cannot link");
    }

    private static Set<String> systemExports() {
        Set<String> exports = new TreeSet<>();
        for (BundleCapability export : osgi.systemBundle().adapt(BundleWiring.class)
                .getCapabilities(BundleRevision.PACKAGE_NAMESPACE)) {
            exports.add((String) export.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE));
        }
        return exports;
    }

    @Test
    void registryRanksPosixAboveNoop() throws Exception {
        BundleContext context = osgi.context();
        // All references: the test's own AtforkService class is not the bundles' one.
        ServiceReference<?>[] all = context.getAllServiceReferences(AtforkService.class.getName(), null);
        assertEquals(2, all.length, () -> Arrays.toString(all));
        // A reference compares greater when the framework would pick it: higher ranking first.
        ServiceReference<?> best = all[0].compareTo(all[1]) > 0 ? all[0] : all[1];
        ServiceReference<?> noop = best == all[0] ? all[1] : all[0];
        assertEquals(POSIX, best.getBundle().getSymbolicName());
        assertEquals(100, best.getProperty("service.ranking"));
        assertEquals("posix", name(context.getService(best)));
        assertEquals(NOOP, noop.getBundle().getSymbolicName());
        assertEquals(-100, noop.getProperty("service.ranking"));
        assertEquals("noop", name(context.getService(noop)));

        Object posixService = context.getService(best);
        assertNotSame(AtforkService.class, interfaceOf(posixService), "the bundle has its own AtforkService");
        assertTrue(posixService.getClass().getClassLoader() instanceof org.osgi.framework.BundleReference);
        assertTrue(posixService.toString().contains("binding=" + TestBinding.expected()),
                () -> "the bundle reads its multi-release jar as its JDK does: " + posixService);
    }

    @Test
    void dsConsumerFollowsTheBestProvider() throws Exception {
        Bundle posix = osgi.bundle(POSIX);
        assertEquals("posix", consumerProvider());
        posix.stop();
        try {
            OsgiFramework.await("the consumer to get noop", () -> "noop".equals(consumerProvider()));
        } finally {
            posix.start();
        }
        OsgiFramework.await("the consumer to get posix again", () -> "posix".equals(consumerProvider()));
    }

    @Test
    void forkRunsTheHooksAndListenersOfBundles() {
        Forker.Result result = forkAndReport();

        assertEquals(0, result.exitStatus(), result::toString);
        assertEquals("CPcp", sorted(result.reportText()), "marks seen by the child");
        assertEquals("APap", sorted(Recorder.text()), "marks made in the parent");
    }

    @Test
    void listenerOfAStoppedBundleNeverRuns() throws Exception {
        Bundle listener = osgi.bundle(LISTENER);
        listener.stop();
        try {
            Forker.Result result = forkAndReport();
            assertEquals(0, result.exitStatus(), result::toString);
            assertEquals("CP", sorted(result.reportText()));
            assertEquals("AP", sorted(Recorder.text()));
        } finally {
            listener.start();
        }
        awaitPosixInUse();
        Forker.Result result = forkAndReport();
        assertEquals("CPcp", sorted(result.reportText()), "the restarted listener runs again");
    }

    /**
     * A bundle is a client of its own: once the consumer bundle stops, its hooks never run again,
     * the listener's still do, and after a restart of the POSIX bundle no hook of before runs twice.
     */
    @Test
    void hooksOfAStoppedConsumerNeverRunAndNoHookRunsTwiceAfterAProviderRestart() throws Exception {
        Bundle consumer = osgi.bundle(CONSUMER);
        consumer.stop();
        try {
            Forker.Result result = forkAndReport();
            assertEquals(0, result.exitStatus(), result::toString);
            assertEquals("", sorted(result.reportText()), "no client is registered: no hook, no listener runs");
            assertEquals("", sorted(Recorder.text()));
        } finally {
            consumer.start();
        }
        awaitPosixInUse();
        Bundle posix = osgi.bundle(POSIX);
        posix.stop();
        posix.start();
        awaitPosixInUse();
        Forker.Result result = forkAndReport();
        assertEquals("APap", sorted(Recorder.text()), "each parent hook ran exactly once");
        assertEquals("CPcp", sorted(result.reportText()), "each hook the child saw ran exactly once");
    }

    @Test
    void handlersOfAnUninstalledBundleStayHarmlessAndAreNotStacked() throws Exception {
        Bundle posix = osgi.bundle(POSIX);
        String location = posix.getLocation();
        posix.stop();
        posix.uninstall();
        osgi.refresh(posix);
        OsgiFramework.await("the consumer to get noop", () -> "noop".equals(consumerProvider()));
        for (int i = 0; i < 5; i++) {
            System.gc();
        }

        Forker.Result orphaned = forkAndReport();
        assertTrue(orphaned.exited(0), orphaned::toString);
        assertEquals("", orphaned.reportText(), "no hook runs in the child once posix is gone");
        assertEquals("", orphaned.stderrText(), "the child reports no failure");
        assertEquals("", Recorder.text(), "no hook runs in the parent once posix is gone");

        Bundle again = osgi.context().installBundle(location);
        again.start();
        awaitPosixInUse();
        Forker.Result result = forkAndReport();
        assertTrue(result.exited(0), result::toString);
        assertEquals("APap", sorted(Recorder.text()), "each parent hook ran exactly once");
        assertEquals("CPcp", sorted(result.reportText()), "each hook the child saw ran exactly once");
        installed.replaceAll(bundle -> bundle.getBundleId() == posix.getBundleId() ? again : bundle);
    }

    @Test
    @Timeout(120)
    void aBundleThatImportsTheSpiDoesNotResolve() throws Exception {
        // bnd copies the exporter's mandatory attribute into the import; a hand-written manifest would not.
        Path jar = TestBundles.build(dir.resolve("intruder.jar"), INTRUDER, SwitchIntruder.class.getPackageName(),
                SwitchIntruder.class, imports -> imports.replace(";atfork-internal=true", ""));
        Bundle intruder = osgi.install(jar);
        try {
            BundleException refused = assertThrows(BundleException.class, intruder::start);
            assertTrue(refused.getMessage().contains("dev.atfork.spi"), refused::toString);
            assertEquals(Bundle.INSTALLED, intruder.getState(), "the intruder stays unresolved");
            assertHooksStillRun();
        } finally {
            intruder.uninstall();
        }
    }

    @Test
    @Timeout(120)
    void aBundleThatImportsTheSpiWithItsAttributeIsRefusedAtRunTime() throws Exception {
        // As bnd builds it, the import names the mandatory attribute, so the bundle resolves.
        Path jar = TestBundles.build(dir.resolve("forced-intruder.jar"), INTRUDER, SwitchIntruder.class.getPackageName(),
                SwitchIntruder.class, imports -> {
                    assertTrue(imports.contains(";atfork-internal=true"), imports);
                    return imports;
                });
        Bundle intruder = osgi.install(jar);
        try {
            intruder.start();
            OsgiFramework.await("the intruder to try", () -> intruderOutcome() != null);
            assertEquals("refused: java.lang.IllegalCallerException", intruderOutcome());
            assertHooksStillRun();
        } finally {
            intruder.uninstall();
        }
    }

    private static void assertHooksStillRun() {
        Forker.Result result = forkAndReport();
        assertTrue(result.exited(0), result::toString);
        assertEquals("CPcp", sorted(result.reportText()), "marks seen by the child");
        assertEquals("APap", sorted(Recorder.text()), "marks made in the parent");
    }

    /** What the intruder component reported, or {@code null} before it did. */
    private static String intruderOutcome() {
        try {
            BundleContext context = osgi.context();
            ServiceReference<?>[] refs = context.getServiceReferences(Supplier.class.getName(), "(atfork.itest=intruder)");
            if (refs == null) {
                return null;
            }
            try {
                Object intruder = context.getService(refs[0]);
                return intruder == null ? null : (String) ((Supplier<?>) intruder).get();
            } finally {
                context.ungetService(refs[0]);
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Forks; the child reports the marks it sees. A child that hangs on a JVM-internal mutex (the
     * JVM's own, rare hang after a fork) is killed and the fork tried again, with fresh marks, and
     * the retry is printed; a child that hangs on a Java-level lock, or hangs every time, fails the test.
     */
    private static Forker.Result forkAndReport() {
        return Forker.forkRetryingJvmHangs(Recorder::reset, REPORT_MARKS, CHILD_TIMEOUT, Forker.Capture.STDERR);
    }

    /** Which provider the DS consumer was given, or {@code null} while it has none. */
    private static String consumerProvider() {
        try {
            BundleContext context = osgi.context();
            ServiceReference<?>[] refs = context.getServiceReferences(Supplier.class.getName(), "(atfork.itest=consumer)");
            if (refs == null) {
                return null;
            }
            Object consumer = context.getService(refs[0]);
            try {
                return consumer == null ? null : ((Supplier<?>) consumer).get().toString();
            } finally {
                context.ungetService(refs[0]);
            }
        } catch (Exception e) {
            return null; // between deactivation and reactivation
        }
    }

    private static ServiceReference<?> listenerService() {
        try {
            ServiceReference<?>[] refs = osgi.context().getAllServiceReferences(ForkListener.class.getName(), null);
            return refs == null ? null : refs[0];
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static String name(Object service) throws ReflectiveOperationException {
        return (String) interfaceOf(service).getMethod("name").invoke(service);
    }

    private static Class<?> interfaceOf(Object service) {
        for (Class<?> type = service.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> candidate : type.getInterfaces()) {
                if (candidate.getName().equals(AtforkService.class.getName())) {
                    return candidate;
                }
            }
        }
        throw new AssertionError(service + " is no AtforkService");
    }

    private static String sorted(String marks) {
        char[] chars = marks.toCharArray();
        Arrays.sort(chars);
        return new String(chars);
    }
}
