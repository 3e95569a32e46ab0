package dev.atfork;

import dev.atfork.spi.NoopService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Chooses the provider that {@link AtforkService#load()} returns. */
final class ProviderSelection {

    static final String PROVIDER_PROPERTY = "dev.atfork.provider";
    static final String POSIX_MODULE = "dev.atfork.posix";
    private static final String POSIX = "posix";
    private static final String NOOP = "noop";
    private static final int MAX_PROVIDERS = 64;

    private ProviderSelection() {
    }

    static AtforkService select() {
        List<String> problems = new ArrayList<>();
        try {
            List<AtforkService> found = discover(problems);
            AtforkService selected = select(found, System.getProperty(PROVIDER_PROPERTY), problems);
            String hint = missingModuleHint(ProviderSelection.class.getModule(), found);
            return selected.isSupported() || hint.isEmpty() ? selected
                    : new NoopService(selected.limitation().orElse("no provider is usable") + hint);
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            problems.add("provider discovery failed: " + e);
            return fallback(null, problems, false);
        }
    }

    /**
     * What to add when the API is a named module and its layer has no POSIX provider module: on the
     * module path the jar is missing, in a {@code jlink} image the module was not linked (jlink
     * resolves no service providers unless asked). Empty on the class path, where the module is
     * unnamed, and where a POSIX provider was found.
     *
     * @param api the API's module
     * @param found the providers found
     */
    static String missingModuleHint(Module api, List<AtforkService> found) {
        ModuleLayer layer = api.getLayer();
        if (posixFound(found) || !api.isNamed() || layer == null || layer.findModule(POSIX_MODULE).isPresent()) {
            return "";
        }
        return "; module " + POSIX_MODULE + " is not in the " + (layer == ModuleLayer.boot() ? "boot" : "module")
                + " layer (in a jlink image, link it with --add-modules " + POSIX_MODULE + ")";
    }

    static AtforkService select(List<AtforkService> found, String wanted, List<String> problems) {
        if (wanted != null && !wanted.isBlank()) {
            for (AtforkService provider : found) {
                if (provider.name().equals(wanted.strip())) {
                    return provider;
                }
            }
            problems.add(0, PROVIDER_PROPERTY + "=" + wanted + " names no provider; found " + names(found));
            return fallback(null, problems, false);
        }
        AtforkService noop = null;
        for (AtforkService provider : found) {
            if (provider.isSupported()) {
                return provider;
            }
            if (NOOP.equals(provider.name())) {
                noop = provider;
            } else {
                problems.add(provider.name() + ": " + provider.limitation().orElse("not supported"));
            }
        }
        return fallback(noop, problems, posixFound(found));
    }

    private static boolean posixFound(List<AtforkService> found) {
        return found.stream().anyMatch(provider -> POSIX.equals(provider.name()));
    }

    private static List<AtforkService> discover(List<String> problems) {
        List<AtforkService> found = new ArrayList<>();
        Iterator<AtforkService> providers = ServiceLoader.load(AtforkService.class).iterator();
        for (int attempt = 0; attempt < MAX_PROVIDERS; attempt++) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                found.add(providers.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add("a provider failed to load: " + describe(e));
            }
        }
        return found;
    }

    /** {@code posixFound}: the POSIX provider is there but unsupported; {@code problems} says why. */
    private static AtforkService fallback(AtforkService noop, List<String> problems, boolean posixFound) {
        String reason = noop != null
                ? noop.limitation().orElse("the no-op provider runs no hooks")
                : posixFound ? "no atfork provider found is supported here"
                : "no usable atfork provider was found; add dev.atfork:atfork-posix and JNA"
                        + " to the class path or module path for fork hooks";
        if (!problems.isEmpty()) {
            reason = reason + " (" + String.join("; ", problems) + ")";
        }
        return new NoopService(reason);
    }

    private static String names(List<AtforkService> found) {
        List<String> names = new ArrayList<>();
        found.forEach(provider -> names.add(provider.name()));
        return names.toString();
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            text.append(", caused by ").append(cause);
        }
        return text.toString();
    }
}
