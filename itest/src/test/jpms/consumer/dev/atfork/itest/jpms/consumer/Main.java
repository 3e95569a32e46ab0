package dev.atfork.itest.jpms.consumer;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints which providers it finds and which one {@link AtforkService#load()} picks; with a
 * supported provider, counts the preFork hooks that run while it starts one process, {@code echo},
 * and prints the line that process wrote on its pipe. Run with
 * {@code -Djdk.lang.Process.launchMechanism=FORK}, the JDK forks and the hook runs once. Then
 * prints the provider, which names its binding, whether JNA's native library is loaded, and
 * whether the runtime resolved {@code jdk.jfr}.
 */
public final class Main {

    public static void main(String[] args) throws Exception {
        List<String> found = new ArrayList<>();
        for (AtforkService provider : ServiceLoader.load(AtforkService.class)) {
            found.add(provider.name());
        }
        System.out.println("found=" + found);

        AtforkService atfork = AtforkService.load();
        System.out.println("loaded=" + atfork.name());
        System.out.println("limitation=" + atfork.limitation().orElse(""));
        if (atfork.isSupported()) {
            AtomicInteger preForks = new AtomicInteger();
            atfork.register();
            String childLine;
            int childExit;
            try (Registration hook = atfork.preFork(preForks::incrementAndGet)) {
                Process child = new ProcessBuilder("echo", "child ran").start();
                childLine = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                childExit = child.waitFor();
            }
            System.out.println("preForks=" + preForks.get());
            System.out.println("child=" + childLine);
            System.out.println("childExit=" + childExit);
        }
        System.out.println("provider=" + atfork);
        System.out.println("jnaNativeLoaded=" + jnaNativeLoaded());
        System.out.println("jdkJfr=" + ModuleLayer.boot().findModule("jdk.jfr").isPresent());
    }

    /** JNA maps libjnidispatch, or the copy it extracts as {@code jna<digits>.tmp} (deleted once mapped). */
    private static boolean jnaNativeLoaded() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.substring(line.lastIndexOf('/') + 1))
                .anyMatch(file -> file.contains("jnidispatch") || file.matches("jna-?\\d+\\.tmp( \\(deleted\\))?"));
    }
}
