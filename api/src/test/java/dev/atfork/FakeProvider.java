package dev.atfork;

import dev.atfork.spi.NoopService;
import java.util.Optional;

/** A provider for selection tests, with a chosen name and support; it never runs hooks. */
class FakeProvider extends NoopService {

    private final String name;
    private final boolean supported;

    FakeProvider(String name, boolean supported, String limitation) {
        super(limitation);
        this.name = name;
        this.supported = supported;
    }

    static FakeProvider supported(String name) {
        return new FakeProvider(name, true, "unused");
    }

    static FakeProvider unsupported(String name, String limitation) {
        return new FakeProvider(name, false, limitation);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isSupported() {
        return supported;
    }

    @Override
    public Optional<String> limitation() {
        return supported ? Optional.empty() : super.limitation();
    }

    @Override
    public String toString() {
        return "FakeProvider[" + name + "]";
    }
}
