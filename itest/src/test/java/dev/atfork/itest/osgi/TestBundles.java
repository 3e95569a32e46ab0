package dev.atfork.itest.osgi;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.Jar;
import dev.atfork.itest.support.Artifacts;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;

/** Builds the test's own bundles with bndlib, from compiled test classes and their DS annotations. */
final class TestBundles {

    private TestBundles() {
    }

    /**
     * Builds a bundle holding one package of the test classes.
     *
     * @param target the jar to write
     * @param symbolicName the bundle's symbolic name
     * @param pkg the package it holds; bnd computes its imports and DS component XML
     * @param anyClass a class of the test classes, to find their directory
     * @return {@code target}
     */
    static Path build(Path target, String symbolicName, String pkg, Class<?> anyClass) throws Exception {
        return build(target, symbolicName, pkg, anyClass, UnaryOperator.identity());
    }

    /**
     * Builds a bundle holding one package of the test classes, and rewrites the imports bnd computed.
     *
     * @param imports turns bnd's {@code Import-Package} header into the bundle's
     * @see #build(Path, String, String, Class)
     */
    static Path build(Path target, String symbolicName, String pkg, Class<?> anyClass, UnaryOperator<String> imports)
            throws Exception {
        try (Builder builder = new Builder()) {
            builder.setProperty(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
            builder.setProperty(Constants.BUNDLE_VERSION, "1.0.0");
            builder.setProperty(Constants.PRIVATEPACKAGE, pkg);
            builder.setProperty(Constants.NOEXTRAHEADERS, "true");
            builder.addClasspath(classesOf(anyClass));
            builder.addClasspath(Artifacts.jar("api").toFile());
            builder.addClasspath(Artifacts.jar("dsannotations").toFile());
            Jar jar = builder.build();
            if (!builder.isOk()) {
                throw new IllegalStateException("bnd could not build " + symbolicName + ": " + builder.getErrors());
            }
            Attributes headers = jar.getManifest().getMainAttributes();
            headers.putValue(Constants.IMPORT_PACKAGE, imports.apply(headers.getValue(Constants.IMPORT_PACKAGE)));
            jar.write(target.toFile());
        }
        return target;
    }

    private static File classesOf(Class<?> type) throws URISyntaxException {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
