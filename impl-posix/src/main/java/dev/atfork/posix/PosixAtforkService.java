package dev.atfork.posix;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.util.Objects;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The POSIX provider: binds {@code pthread_atfork} (glibc: {@code __register_atfork}) through JNA.
 * All instances share one process-wide state. In OSGi it is published, ranked above the no-op
 * provider, only where the binding works; stopping its bundle makes the native handlers idle.
 */
@Component(name = PosixAtforkService.COMPONENT_NAME, service = AtforkService.class, enabled = false,
        immediate = true, property = "service.ranking:Integer=100")
public final class PosixAtforkService implements AtforkService {

    static final String COMPONENT_NAME = "dev.atfork.posix";

    /** Creates the provider; all instances share one state. */
    public PosixAtforkService() {
    }

    static boolean supported() {
        return NativeBinding.FAILURE == null;
    }

    static String unsupportedReason() {
        return "pthread_atfork cannot be bound on " + NativeBinding.platform() + ": " + NativeBinding.FAILURE;
    }

    @Override
    public String name() {
        return "posix";
    }

    @Override
    public boolean isSupported() {
        return supported();
    }

    @Override
    public Optional<String> limitation() {
        return supported() ? Optional.empty() : Optional.of(unsupportedReason());
    }

    @Override
    public void register() {
        PosixRuntime.register();
    }

    @Override
    public void deregister() {
        PosixRuntime.deregister();
    }

    @Override
    public boolean isRegistered() {
        return PosixRuntime.DISPATCHER.isRegistered();
    }

    @Override
    public Registration preFork(Runnable hook) {
        return PosixRuntime.DISPATCHER.preForkHooks.add(hook);
    }

    @Override
    public Registration afterForkParent(Runnable hook) {
        return PosixRuntime.DISPATCHER.afterForkParentHooks.add(hook);
    }

    @Override
    public Registration afterForkChild(Runnable hook) {
        return PosixRuntime.addChildHook(hook);
    }

    @Override
    public OutputStream watch(OutputStream out) {
        return supported() ? Watches.watch(out) : Objects.requireNonNull(out, "out");
    }

    @Override
    public Writer watch(Writer out) {
        return supported() ? Watches.watch(out) : Objects.requireNonNull(out, "out");
    }

    @Override
    public PrintStream watch(PrintStream out) {
        return supported() ? Watches.watch(out) : Objects.requireNonNull(out, "out");
    }

    @Deactivate
    void deactivate() {
        PosixRuntime.shutdown();
    }

    @Override
    public String toString() {
        return "PosixAtforkService[" + (supported() ? "supported" : unsupportedReason()) + "]";
    }
}
