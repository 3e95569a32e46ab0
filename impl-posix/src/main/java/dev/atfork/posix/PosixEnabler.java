package dev.atfork.posix;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * In OSGi, publishes the POSIX provider only where its native binding works, and makes the native
 * handlers idle when this bundle stops, for a refreshed copy to take over.
 */
@Component(service = {}, immediate = true)
public final class PosixEnabler {

    /** Created by Declarative Services. */
    public PosixEnabler() {
    }

    @Activate
    void activate(ComponentContext context) {
        if (PosixAtforkService.supported()) {
            context.enableComponent(PosixAtforkService.COMPONENT_NAME);
            context.enableComponent(ForkListenerWhiteboard.COMPONENT_NAME);
        }
    }

    @Deactivate
    void deactivate() {
        PosixRuntime.shutdown();
    }
}
