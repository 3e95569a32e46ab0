package dev.atfork.posix;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** In OSGi, publishes the POSIX provider only where its native binding works. */
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
}
