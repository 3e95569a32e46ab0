package dev.atfork.itest.jpms.intruder;

import dev.atfork.spi.NativeForkHandlers;

/** Uses {@code dev.atfork.spi} as any module might try to: it must not compile, nor run. */
public final class Main {

    public static void main(String[] args) {
        System.out.println("installed=" + NativeForkHandlers.isInstalled("prepare+parent"));
    }
}
