package dev.atfork;

/** Listed for ServiceLoader in the tests: a provider named "fake" that is not supported. */
public class UnsupportedProvider extends FakeProvider {

    /** Creates it. */
    public UnsupportedProvider() {
        super("fake", false, "fake cannot run here");
    }
}
