package dev.atfork.spi;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link AtforkService} whose hooks never run, because this process cannot run them. It
 * accepts every call and keeps its own state, as a client of a real provider would, so callers see
 * consistent answers; {@link #limitation()} says why nothing runs.
 */
public class NoopService implements AtforkService {

    private final HookList preForkHooks = new HookList();
    private final HookList afterForkParentHooks = new HookList();
    private final HookList afterForkChildHooks = new HookList();
    private volatile boolean registered;

    private final String limitation;

    /**
     * Creates a no-op service.
     *
     * @param limitation why hooks do not run here
     * @throws NullPointerException if {@code limitation} is null
     */
    public NoopService(String limitation) {
        this.limitation = Objects.requireNonNull(limitation, "limitation");
    }

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public boolean isSupported() {
        return false;
    }

    @Override
    public Optional<String> limitation() {
        return Optional.of(limitation);
    }

    @Override
    public void register() {
        registered = true;
    }

    @Override
    public void deregister() {
        registered = false;
    }

    @Override
    public boolean isRegistered() {
        return registered;
    }

    @Override
    public Registration preFork(Runnable hook) {
        return preForkHooks.add(hook);
    }

    @Override
    public Registration afterForkParent(Runnable hook) {
        return afterForkParentHooks.add(hook);
    }

    @Override
    public Registration afterForkChild(Runnable hook) {
        return afterForkChildHooks.add(hook);
    }

    /** Returns {@code out} itself: nothing can be protected here. */
    @Override
    public OutputStream watch(OutputStream out) {
        return Objects.requireNonNull(out, "out");
    }

    /** Returns {@code out} itself: nothing can be protected here. */
    @Override
    public Writer watch(Writer out) {
        return Objects.requireNonNull(out, "out");
    }

    /** Returns {@code out} itself: nothing can be protected here. */
    @Override
    public PrintStream watch(PrintStream out) {
        return Objects.requireNonNull(out, "out");
    }

    @Override
    public String toString() {
        return "NoopService[" + limitation + "]";
    }
}
