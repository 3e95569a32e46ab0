package dev.atfork.itest.osgi.consumer;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.itest.osgi.shared.Recorder;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * A bundle's DS component that gets the best {@link AtforkService} injected and adds hooks that
 * mark the {@link Recorder}: P before a fork, A after it in the parent, C in the child. As a
 * {@code Supplier<String>} it tells the test which provider it was given.
 */
@Component(immediate = true, property = "atfork.itest=consumer")
public final class HookingConsumer implements Supplier<String> {

    // GREEDY: when a higher-ranked provider appears (posix restarted), DS rebinds to it.
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    private AtforkService atfork;

    private List<Registration> hooks;

    @Activate
    void activate() {
        atfork.register();
        hooks = List.of(
                atfork.preFork(() -> Recorder.mark('P')),
                atfork.afterForkParent(() -> Recorder.mark('A')),
                atfork.afterForkChild(() -> Recorder.mark('C')));
    }

    @Deactivate
    void deactivate() {
        hooks.forEach(Registration::close);
    }

    @Override
    public String get() {
        return atfork.name();
    }
}
