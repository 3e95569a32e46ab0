package dev.atfork.itest.support;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Programs kept off the itest class path ({@code src/test/jpms}, {@code src/test/agent}), compiled
 * at test time by this JDK's {@code javac} against exactly the class path or module path a test gives.
 */
public final class TestPrograms {

    private TestPrograms() {
    }

    /**
     * Compiles the {@code .java} files under {@code sources} into {@code out}.
     *
     * @param withModuleInfo whether to compile {@code module-info.java} files too
     * @param options javac's other options: the class path or module path, at least
     * @return null if it compiled, else javac's messages
     */
    public static String tryCompile(Path sources, Path out, boolean withModuleInfo, List<String> options)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("-d", out.toString()));
        args.addAll(options);
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> withModuleInfo || !file.endsWith("module-info.java"))
                    .forEach(file -> args.add(file.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        return javac.run(null, messages, messages, args.toArray(String[]::new)) == 0 ? null : messages.toString();
    }

    /** Joins paths with the platform's path separator. */
    public static String path(Path... entries) {
        return Stream.of(entries).map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
