package dev.atfork.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds native code of a test's own: a C source among the test resources, compiled with the
 * system's {@code gcc} into a shared library that a test then loads with JNA.
 */
public final class NativeLibraries {

    private static final long COMPILE_TIMEOUT_SECONDS = 60;

    private NativeLibraries() {
    }

    /**
     * Compiles the C source {@code resource} (a class-path resource of this package, such as
     * {@code "native_fork.c"}) into {@code dir}, with {@code gcc -shared -fPIC -O2 ... -lpthread}.
     * Aborts the calling test if there is no {@code gcc} to run.
     *
     * @return the absolute path of the shared library
     */
    public static Path compile(String resource, Path dir) throws IOException, InterruptedException {
        String base = resource.endsWith(".c") ? resource.substring(0, resource.length() - 2) : resource;
        Path source = dir.resolve(resource);
        try (InputStream in = NativeLibraries.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource + " next to " + NativeLibraries.class);
            }
            Files.copy(in, source);
        }
        Path library = dir.resolve("lib" + base + ".so").toAbsolutePath();
        Path log = dir.resolve(base + ".log");
        List<String> command = List.of("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString(),
                "-lpthread");
        Process gcc;
        try {
            gcc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            Assumptions.abort("cannot run gcc to build " + resource + ": " + e);
            throw e; // not reached
        }
        if (!gcc.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            gcc.destroyForcibly();
            throw new IllegalStateException("gcc did not finish within " + COMPILE_TIMEOUT_SECONDS + " s: " + command);
        }
        if (gcc.exitValue() != 0) {
            throw new IllegalStateException("gcc failed (" + gcc.exitValue() + "): " + command + "\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return library;
    }
}
