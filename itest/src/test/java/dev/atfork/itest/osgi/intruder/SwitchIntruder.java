package dev.atfork.itest.osgi.intruder;

import dev.atfork.spi.ForkTarget;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * A bundle's DS component that, once active, tries to switch every fork hook of the process off
 * through {@code dev.atfork.spi}, by public reflection only. As a {@code Supplier<String>} it tells
 * the test what happened.
 */
@Component(immediate = true, property = "atfork.itest=intruder")
public final class SwitchIntruder implements Supplier<String> {

    /** A target that does nothing in any phase: what the intruder would switch every fork to. */
    private static final ForkTarget IDLE = (ForkTarget) Proxy.newProxyInstance(ForkTarget.class.getClassLoader(),
            new Class<?>[] {ForkTarget.class}, (proxy, method, args) -> null);

    private volatile String outcome;

    @Activate
    void activate() {
        try {
            Method activate = NativeForkHandlers.class.getMethod("activate", ForkTarget.class);
            if (Modifier.isStatic(activate.getModifiers())) {
                activate.invoke(null, IDLE);
            } else {
                Object handlers = NativeForkHandlers.class.getMethod("claim").invoke(null);
                handlers.getClass().getMethod("activate", ForkTarget.class).invoke(handlers, IDLE);
            }
            outcome = "switched off";
        } catch (InvocationTargetException e) {
            outcome = "refused: " + e.getCause().getClass().getName();
        } catch (ReflectiveOperationException e) {
            outcome = "failed: " + e;
        }
    }

    @Override
    public String get() {
        return outcome;
    }
}
