package dev.atfork.itest.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.itest.osgi.consumer.HookingConsumer;
import dev.atfork.itest.osgi.shared.Recorder;
import dev.atfork.itest.support.Artifacts;
import dev.atfork.testing.Forker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The {@code dev.atfork.Fork} JFR event in OSGi, each case in a Felix of its own: a framework that
 * does not export {@code jdk.jfr} still resolves and runs the posix bundle, which records nothing;
 * one that boot-delegates JFR's internal packages, which JFR's instrumented event code links to
 * from the event's own loader, records one event per fork. (With Felix's defaults, where
 * {@code jdk.jfr} is exported but its internals are not visible, {@link OsgiWaysInTest} checks that
 * the fork goes on and nothing is recorded.) Tagged {@code own-jvm}, as {@link OsgiWaysInTest} is:
 * the bundles' copy of atfork must be the process's only registered one.
 */
@Tag("own-jvm")
class OsgiJfrTest {

    private static final String EVENT = "dev.atfork.Fork";
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aFrameworkThatDoesNotExportJdkJfrRunsThePosixBundleAndRecordsNothing() throws Exception {
        Map<String, String> config = Map.of(Constants.FRAMEWORK_SYSTEMPACKAGES, defaultExportsWithoutJdkJfr());
        try (OsgiFramework osgi = started(config)) {
            Bundle posix = osgi.bundle("dev.atfork.posix");
            assertEquals(Bundle.ACTIVE, posix.getState());
            assertFalse(posix.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE).stream()
                    .anyMatch(wire -> "jdk.jfr".equals(wire.getCapability().getAttributes()
                            .get(BundleRevision.PACKAGE_NAMESPACE))), "jdk.jfr is wired although not exported");
            assertEquals(0, recordForks().events());
        }
    }

    @Test
    @Timeout(120)
    void aFrameworkThatBootDelegatesJfrInternalsRecordsEachFork() throws Exception {
        try (OsgiFramework osgi = started(Map.of(Constants.FRAMEWORK_BOOTDELEGATION, "jdk.jfr.internal.*"))) {
            Recorded recorded = recordForks();
            assertEquals(recorded.forks(), recorded.events());
        }
    }

    /** The packages a default framework's system bundle exports, less {@code jdk.jfr} and its subpackages. */
    private String defaultExportsWithoutJdkJfr() throws Exception {
        StringJoiner exports = new StringJoiner(",");
        try (OsgiFramework probe = new OsgiFramework(dir.resolve("probe-cache"))) {
            for (BundleCapability export : probe.systemBundle().adapt(BundleWiring.class)
                    .getCapabilities(BundleRevision.PACKAGE_NAMESPACE)) {
                String name = (String) export.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE);
                if (!name.equals("jdk.jfr") && !name.startsWith("jdk.jfr.") && !name.equals(OsgiFramework.SHARED_PACKAGE)) {
                    exports.add(name + ";version=\"" + export.getAttributes().get("version") + "\"");
                }
            }
        }
        return exports.toString();
    }

    /** A framework with the built bundles and the hooking consumer, once the consumer's hooks run at a fork. */
    private OsgiFramework started(Map<String, String> config) throws Exception {
        Path consumer = TestBundles.build(dir.resolve("consumer.jar"), "dev.atfork.itest.consumer",
                HookingConsumer.class.getPackageName(), HookingConsumer.class);
        OsgiFramework osgi = new OsgiFramework(dir.resolve("felix-cache"), config);
        try {
            osgi.installAndStart(Artifacts.jar("function"), Artifacts.jar("promise"), Artifacts.jar("component"),
                    Artifacts.jar("scr"), Artifacts.jar("jna"), Artifacts.jar("api"), Artifacts.jar("posix"), consumer);
            OsgiFramework.await("the consumer's hooks to run at a fork", () -> {
                Recorder.reset();
                assertTrue(fork().exited(0));
                return Recorder.text().indexOf('P') >= 0;
            });
            return osgi;
        } catch (Exception | Error e) {
            osgi.close();
            throw e;
        }
    }

    /** How many forks were made and how many {@code dev.atfork.Fork} events the recording holds. */
    private record Recorded(int forks, long events) {
    }

    private Recorded recordForks() throws Exception {
        Path file = dir.resolve("forks.jfr");
        int[] forks = new int[1];
        try (Recording recording = new Recording()) {
            recording.enable(EVENT);
            recording.start();
            for (int i = 0; i < 2; i++) {
                Forker.Result result = Forker.retryingJvmHangs(() -> {
                    forks[0]++;
                    return fork();
                });
                assertTrue(result.exited(0), result::toString);
            }
            recording.stop();
            recording.dump(file);
        }
        long events = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals(EVENT)).count();
        return new Recorded(forks[0], events);
    }

    private static Forker.Result fork() {
        return Forker.fork(fd -> 0, CHILD_TIMEOUT, Forker.Capture.STDERR);
    }
}
