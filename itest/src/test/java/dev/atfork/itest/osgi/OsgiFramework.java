package dev.atfork.itest.osgi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * An Apache Felix framework embedded in the test JVM. Its system bundle exports only the JDK and
 * the test's shared {@code Recorder} package, so the atfork bundles load their own copies of the
 * classes that the test class path also holds.
 */
final class OsgiFramework implements AutoCloseable {

    static final String SHARED_PACKAGE = "dev.atfork.itest.osgi.shared";

    private final Framework framework;

    OsgiFramework(Path storage) throws Exception {
        this(storage, Map.of());
    }

    /** A framework as {@link #OsgiFramework(Path)} makes it, with {@code extraConfig} on top. */
    OsgiFramework(Path storage, Map<String, String> extraConfig) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SHARED_PACKAGE);
        // Bundles see the boot class path's java.* only, never the application class path.
        config.put(Constants.FRAMEWORK_BUNDLE_PARENT, Constants.FRAMEWORK_BUNDLE_PARENT_BOOT);
        config.put("felix.bootdelegation.implicit", "false");
        config.putAll(extraConfig);
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(config);
        framework.start();
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    Bundle systemBundle() {
        return framework;
    }

    /** Installs the jars (or exploded bundle directories) in order and then starts them all. */
    List<Bundle> installAndStart(Path... locations) throws Exception {
        List<Bundle> bundles = new ArrayList<>();
        for (Path location : locations) {
            bundles.add(install(location));
        }
        for (Bundle bundle : bundles) {
            bundle.start();
        }
        return bundles;
    }

    Bundle install(Path location) throws Exception {
        String uri = location.toUri().toString();
        return context().installBundle(Files.isDirectory(location) ? "reference:" + uri : uri);
    }

    Bundle bundle(String symbolicName) {
        for (Bundle bundle : context().getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new IllegalStateException("no bundle " + symbolicName);
    }

    /** Refreshes the bundles and waits until the framework has done so. */
    void refresh(Bundle... bundles) throws Exception {
        CompletableFuture<FrameworkEvent> done = new CompletableFuture<>();
        framework.adapt(FrameworkWiring.class).refreshBundles(List.of(bundles), done::complete);
        FrameworkEvent event = done.get(30, TimeUnit.SECONDS);
        if (event.getType() != FrameworkEvent.PACKAGES_REFRESHED) {
            throw new IllegalStateException("refresh failed", event.getThrowable());
        }
    }

    /** Waits until {@code condition} holds; Declarative Services reacts asynchronously. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }
}
