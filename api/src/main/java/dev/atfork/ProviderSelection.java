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
    private static final String NOOP = "noop";
    private static final String POSIX = "posix";
    private static final int MAX_PROVIDERS = 64;

    private ProviderSelection() {
    }

    static AtforkService select() {
        List<String> problems = new ArrayList<>();
        try {
            return select(discover(problems), System.getProperty(PROVIDER_PROPERTY), problems);
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            problems.add("provider discovery failed: " + e);
            return fallback(null, problems, false);
        }
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
        return fallback(noop, problems, found.stream().anyMatch(provider -> POSIX.equals(provider.name())));
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
