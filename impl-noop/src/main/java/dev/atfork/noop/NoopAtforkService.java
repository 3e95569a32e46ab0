package dev.atfork.noop;

import dev.atfork.AtforkService;
import dev.atfork.spi.NoopService;
import org.osgi.service.component.annotations.Component;

/**
 * The no-op provider: accepts every call, never runs a hook, and names the platform it runs on
 * in {@link #limitation()}. Ranked below the POSIX provider in the OSGi service registry.
 */
@Component(service = AtforkService.class, property = "service.ranking:Integer=-100")
public final class NoopAtforkService extends NoopService {

    /** Creates the provider; each instance keeps its own state, as a client of a real provider does. */
    public NoopAtforkService() {
        super(reason(System.getProperty("os.name", "unknown OS"), System.getProperty("os.arch", "unknown arch")));
    }

    static String reason(String os, String arch) {
        String platform = os + " (" + arch + ")";
        return os.startsWith("Windows")
                ? "pthread_atfork is not available on " + platform
                : "the no-op provider runs no fork hooks on " + platform
                        + "; use dev.atfork:atfork-posix for real ones";
    }
}
