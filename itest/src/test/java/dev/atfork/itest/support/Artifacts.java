package dev.atfork.itest.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The built jars under test, whose paths the itest build passes as system properties. */
public final class Artifacts {

    private Artifacts() {
    }

    /**
     * Returns a jar named by the system property {@code atfork.jar.<name>}.
     *
     * @param name for example {@code api}, {@code posix}, {@code jna}
     * @return the existing jar or, without a packaging run, class directory
     */
    public static Path jar(String name) {
        String value = System.getProperty("atfork.jar." + name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property atfork.jar." + name
                    + " is not set; run the tests through Maven (./mvnw verify -pl itest -am)");
        }
        Path path = Path.of(value);
        if (!Files.exists(path)) {
            throw new IllegalStateException("atfork.jar." + name + " names a missing file: " + path);
        }
        return path;
    }

    /**
     * Returns a directory the itest build names in the system property {@code atfork.<name>}.
     *
     * @param name for example {@code jpms.sources}, or {@code target}, the itest build directory
     * @return the directory
     */
    public static Path directory(String name) {
        String value = System.getProperty("atfork." + name);
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new IllegalStateException("system property atfork." + name + " names no directory: " + value);
        }
        return Path.of(value);
    }
}
