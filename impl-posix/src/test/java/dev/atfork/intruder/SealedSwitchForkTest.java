package dev.atfork.intruder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.posix.PosixAtforkService;
import dev.atfork.spi.ForkTarget;
import dev.atfork.spi.NativeForkHandlers;
import dev.atfork.testing.EventFork;
import dev.atfork.testing.IdleForkTarget;
import dev.atfork.testing.Forker;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The class-path way in, as an outside caller sees it: code in a package of its own, with plain
 * Java and public reflection only (no {@code setAccessible}), cannot switch the fork handlers off.
 */
class SealedSwitchForkTest {

    private static final String SPI = "dev.atfork.spi";
    private static final StringBuffer events = new StringBuffer();
    private static final ForkTarget IDLE = new IdleForkTarget();

    @BeforeEach
    void clearEvents() {
        events.setLength(0);
    }

    @Test
    @Timeout(30)
    void noPublicStaticEntryOrConstructorOfTheSpiReachesTheSwitch() throws Exception {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : publicSpiTypes()) {
            for (Method method : type.getMethods()) {
                if (Modifier.isStatic(method.getModifiers()) && method.getDeclaringClass() == type) {
                    entries.add(type.getSimpleName() + "." + method.getName());
                }
            }
            for (Constructor<?> constructor : type.getConstructors()) {
                entries.add("new " + type.getSimpleName());
            }
        }
        // What is left: a read-only query, a caller-checked claim of a switch of one's own, and two
        // classes that touch no fork handler.
        assertEquals(new TreeSet<>(List.of("NativeForkHandlers.claim", "NativeForkHandlers.isInstalled",
                "new HookList", "new NoopService")), new TreeSet<>(entries));
    }

    @Test
    @Timeout(60)
    void anOutsiderCannotSwitchTheHooksOff() throws Exception {
        AtforkService service = new PosixAtforkService();
        service.register();
        try (Registration hook = service.preFork(() -> events.append("pre,"))) {
            List<String> attempts = new ArrayList<>();
            attempts.add(attempt("static activate", () -> staticMethod("activate", ForkTarget.class).invoke(null, IDLE)));
            attempts.add(attempt("claim", () -> {
                Object handlers = staticMethod("claim").invoke(null);
                handlers.getClass().getMethod("activate", ForkTarget.class).invoke(handlers, IDLE);
            }));

            Forker.Result result = EventFork.forkReporting(events);
            assertTrue(result.exited(0), result::toString);
            assertEquals("pre,", result.reportText(), "the child saw the preFork hook");
            assertEquals("pre,", events.toString(), "the preFork hook ran in the parent");
            assertEquals(List.of("static activate: absent", "claim: refused by java.lang.IllegalCallerException"), attempts);
        } finally {
            service.deregister();
        }
    }

    @Test
    @Timeout(60)
    void overwritingTheOwnerMarkerDoesNotSwitchTheProviderOff() throws Exception {
        AtforkService service = new PosixAtforkService();
        service.register();
        Object owner = System.getProperties().get("dev.atfork.owner"); // restored as the same object
        try (Registration hook = service.preFork(() -> events.append("pre,"))) {
            System.setProperty("dev.atfork.owner", "an outsider");
            AtforkService another = new PosixAtforkService();

            assertTrue(service.isSupported(), service::toString);
            assertTrue(another.isSupported(), "a new client of the owning copy: " + another);
            Forker.Result result = EventFork.forkReporting(events);
            assertTrue(result.exited(0), result::toString);
            assertEquals("pre,", events.toString(), "the preFork hook ran in the parent");
        } finally {
            System.getProperties().put("dev.atfork.owner", owner);
            service.deregister();
        }
    }

    /** The public static method of {@link NativeForkHandlers} of this name and parameters, if any. */
    private static Method staticMethod(String name, Class<?>... parameters) throws NoSuchMethodException {
        Method method = NativeForkHandlers.class.getMethod(name, parameters);
        if (!Modifier.isStatic(method.getModifiers())) {
            throw new NoSuchMethodException("no static " + method);
        }
        return method;
    }

    /** A way in, tried through public reflection: absent, refused, or (the defect) it worked. */
    private interface Way {
        void enter() throws ReflectiveOperationException;
    }

    private static String attempt(String name, Way way) {
        try {
            way.enter();
            return name + ": it worked";
        } catch (NoSuchMethodException e) {
            return name + ": absent";
        } catch (InvocationTargetException e) {
            return name + ": refused by " + e.getCause().getClass().getName();
        } catch (ReflectiveOperationException e) {
            return name + ": " + e;
        }
    }

    /** Every public type of the SPI package, read from the API's jar or class directory. */
    private static List<Class<?>> publicSpiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(NativeForkHandlers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String folder = SPI.replace('.', '/') + "/";
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.list(root.resolve(folder))) {
                files.forEach(file -> names.add(folder + file.getFileName()));
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                jar.stream().map(entry -> entry.getName())
                        .filter(name -> name.startsWith(folder) && name.indexOf('/', folder.length()) < 0)
                        .forEach(names::add);
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
                Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'));
                if (Modifier.isPublic(type.getModifiers())) {
                    types.add(type);
                }
            }
        }
        assertTrue(types.contains(NativeForkHandlers.class), types::toString);
        return types;
    }
}
