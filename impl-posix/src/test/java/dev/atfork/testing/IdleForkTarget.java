package dev.atfork.testing;

import dev.atfork.spi.ForkTarget;

/** A fork target that does nothing in any phase: something to hand to {@code activate}. */
public final class IdleForkTarget implements ForkTarget {

    @Override
    public Object prepare() {
        return null;
    }

    @Override
    public void parent(Object frame) {
    }

    @Override
    public void child(Object frame) {
    }
}
