package dev.atfork;

/** A supported provider not listed for ServiceLoader: selection must never find it by its name. */
public class UnlistedProvider extends FakeProvider {

    static {
        LoadProbe.unlistedInitialized = true;
    }

    /** Creates it. */
    public UnlistedProvider() {
        super("unlisted", true, "unused");
    }

    /** Records whether {@link UnlistedProvider} was ever initialized, without initializing it. */
    static final class LoadProbe {
        static volatile boolean unlistedInitialized;

        private LoadProbe() {
        }
    }
}
