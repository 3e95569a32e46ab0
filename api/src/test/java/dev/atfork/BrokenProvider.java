package dev.atfork;

import dev.atfork.spi.NoopService;

/** Listed for ServiceLoader in the tests; fails to load as a provider does whose native library is missing. */
public class BrokenProvider extends NoopService {

    /** Always fails. */
    public BrokenProvider() {
        super(fail());
    }

    private static String fail() {
        throw new UnsatisfiedLinkError("fake: no jnidispatch in java.library.path");
    }
}
