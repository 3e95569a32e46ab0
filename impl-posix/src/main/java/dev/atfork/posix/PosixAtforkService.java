package dev.atfork.posix;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.posix.libc.Bindings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.util.Objects;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The POSIX provider: binds {@code pthread_atfork} (glibc: {@code __register_atfork}) through
 * {@code java.lang.foreign} on JDK 22 and later, through JNA before; {@link #toString()} says which.
 * Each instance is a client: its {@link #register()} switches its own hooks and its own claim on
 * the standard streams' protection, and the native handlers are shared by the whole process. In
 * OSGi it is published in prototype scope, ranked above the no-op provider, only where the binding
 * works; each bundle, or each prototype-scope reference, gets a client of its own, ended when it
 * is released. Stopping this bundle makes the native handlers idle.
 *
 * <p>One copy of this module serves a process: where another copy (another class loader's, or a
 * shaded one) turned on first, this one is unsupported, its {@link #limitation()} naming the other,
 * and its {@link #register()} installs nothing (see {@code ProcessOwner}).
 */
@Component(name = PosixAtforkService.COMPONENT_NAME, service = AtforkService.class, enabled = false,
        scope = ServiceScope.PROTOTYPE, property = "service.ranking:Integer=100")
public final class PosixAtforkService implements AtforkService {

    static final String COMPONENT_NAME = "dev.atfork.posix";

    private final ForkClient client = new ForkClient();

    /** Creates a client of the provider, with a switch and hooks of its own; the native handlers are the process's. */
    public PosixAtforkService() {
    }

    /**
     * Whether libc is bound and no other copy of this module owns the process's handlers; the owner
     * is checked first, so that such a copy binds nothing.
     */
    static boolean supported() {
        return ProcessOwner.other() == null && Bindings.FAILURE == null;
    }

    static String unsupportedReason() {
        String owner = ProcessOwner.other();
        if (owner != null) {
            return ProcessOwner.reason(owner);
        }
        return "pthread_atfork cannot be bound on " + Bindings.platform() + ": " + Bindings.FAILURE;
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
        PosixRuntime.register(client);
    }

    @Override
    public void deregister() {
        PosixRuntime.deregister(client);
    }

    @Override
    public boolean isRegistered() {
        return client.registered;
    }

    @Override
    public Registration preFork(Runnable hook) {
        return client.add(PosixRuntime.DISPATCHER.preForkHooks, hook);
    }

    @Override
    public Registration afterForkParent(Runnable hook) {
        return client.add(PosixRuntime.DISPATCHER.afterForkParentHooks, hook);
    }

    @Override
    public Registration afterForkChild(Runnable hook) {
        return PosixRuntime.childHookAdded(client.add(PosixRuntime.DISPATCHER.afterForkChildHooks, hook), client.registered);
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

    /** In OSGi, this instance was released, or its bundle or ours stopped: its hooks and its claim end. */
    @Deactivate
    void deactivate() {
        deregister();
        client.closeAll();
    }

    @Override
    public String toString() {
        return "PosixAtforkService[" + (supported() ? "supported, binding=" + Bindings.LIBC.binding() : unsupportedReason())
                + "]";
    }
}
