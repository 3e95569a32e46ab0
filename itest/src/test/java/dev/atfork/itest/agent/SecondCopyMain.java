package dev.atfork.itest.agent;

import dev.atfork.testing.Forker;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Run under the agent, loads a second copy of atfork (the jars named by its arguments) in a class
 * loader of its own, whose parent is the platform class loader, and prints what that copy says
 * and does, as {@code key=value} lines; then forks a child that prints a line through
 * {@code System.out}, captured on a pipe.
 */
public final class SecondCopyMain {

    private static final String CHILD_LINE = "child line through System.out";

    private SecondCopyMain() {
    }

    /** {@code args}: the jars of the second copy. */
    public static void main(String[] args) throws Exception {
        PrintStream before = System.out;
        System.out.println("out=" + before.getClass().getName());
        URL[] urls = new URL[args.length];
        for (int i = 0; i < args.length; i++) {
            urls[i] = Path.of(args[i]).toUri().toURL();
        }
        try (URLClassLoader copy = new URLClassLoader("second-copy", urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> api = copy.loadClass("dev.atfork.AtforkService");
            Thread thread = Thread.currentThread();
            ClassLoader saved = thread.getContextClassLoader();
            Object loaded;
            thread.setContextClassLoader(copy); // ServiceLoader.load(Class) looks there
            try {
                loaded = api.getMethod("load").invoke(null);
            } finally {
                thread.setContextClassLoader(saved);
            }
            System.out.println("copyName=" + api.getMethod("name").invoke(loaded));
            System.out.println("copySupported=" + api.getMethod("isSupported").invoke(loaded));
            System.out.println("copyLimitation=" + limitation(api, loaded));
            api.getMethod("register").invoke(loaded);

            Object posix = copy.loadClass("dev.atfork.posix.PosixAtforkService").getConstructor().newInstance();
            System.out.println("posixSupported=" + api.getMethod("isSupported").invoke(posix));
            System.out.println("posixLimitation=" + limitation(api, posix));
            String registered;
            try {
                api.getMethod("register").invoke(posix);
                registered = "returned";
            } catch (InvocationTargetException e) {
                registered = String.valueOf(e.getCause());
            }
            System.out.println("posixRegister=" + registered);
        }
        System.out.println("sameOut=" + (System.out == before));
        System.out.println("outLoader=" + (System.out.getClass().getClassLoader() == ClassLoader.getSystemClassLoader()
                ? "system" : String.valueOf(System.out.getClass().getClassLoader())));
        System.out.println("owner=" + System.getProperty("dev.atfork.owner"));
        Forker.Result child = Forker.forkRetryingJvmHangs(() -> { }, fd -> {
            System.out.println(CHILD_LINE);
            return 0;
        }, Duration.ofSeconds(10), Forker.Capture.STDOUT);
        System.out.println("childExit=" + child.exitStatus());
        System.out.println("childOut=" + child.stdoutText().strip());
    }

    /** The copy's {@code limitation()} of {@code service}, or "". */
    private static String limitation(Class<?> api, Object service) throws ReflectiveOperationException {
        return ((Optional<?>) api.getMethod("limitation").invoke(service)).map(String::valueOf).orElse("");
    }
}
