package dev.atfork.posix;

import dev.atfork.ForkListener;
import dev.atfork.Registration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * In OSGi, calls every {@link ForkListener} service at each fork while the provider is
 * registered. A listener's hooks are removed when its service goes away, so no hook of a stopped
 * bundle runs. Only the methods a listener overrides become hooks: a listener that does not
 * override {@link ForkListener#afterForkChild()} makes the library run no Java in children.
 */
@Component(name = ForkListenerWhiteboard.COMPONENT_NAME, service = {}, enabled = false, immediate = true)
public final class ForkListenerWhiteboard {

    static final String COMPONENT_NAME = "dev.atfork.posix.whiteboard";

    private final Map<ForkListener, List<Registration>> hooks = new IdentityHashMap<>();

    /** Created by Declarative Services. */
    public ForkListenerWhiteboard() {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ForkListener listener) {
        List<Registration> added = new ArrayList<>(3);
        try {
            if (overrides(listener, "preFork")) {
                added.add(PosixRuntime.DISPATCHER.preForkHooks.add(listener::preFork));
            }
            if (overrides(listener, "afterForkParent")) {
                added.add(PosixRuntime.DISPATCHER.afterForkParentHooks.add(listener::afterForkParent));
            }
            if (overrides(listener, "afterForkChild")) {
                added.add(PosixRuntime.childHookAdded(PosixRuntime.DISPATCHER.afterForkChildHooks.add(listener::afterForkChild), true));
            }
        } catch (RuntimeException e) {
            added.forEach(Registration::close);
            throw e;
        }
        synchronized (hooks) {
            hooks.put(listener, added);
        }
    }

    void removeListener(ForkListener listener) {
        List<Registration> removed;
        synchronized (hooks) {
            removed = hooks.remove(listener);
        }
        if (removed != null) {
            removed.forEach(Registration::close);
        }
    }

    @Deactivate
    void deactivate() {
        List<Registration> all = new ArrayList<>();
        synchronized (hooks) {
            hooks.values().forEach(all::addAll);
            hooks.clear();
        }
        all.forEach(Registration::close);
    }

    /** Tells whether the listener's class replaces the interface's do-nothing default. */
    static boolean overrides(ForkListener listener, String method) {
        try {
            return listener.getClass().getMethod(method).getDeclaringClass() != ForkListener.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("ForkListener has no method " + method, e);
        }
    }
}
