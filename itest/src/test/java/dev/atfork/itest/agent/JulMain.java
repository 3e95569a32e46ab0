package dev.atfork.itest.agent;

import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * A program that picks its own {@code java.util.logging} manager first thing in {@code main}, as
 * WildFly-style servers do, and prints which manager it got: {@code manager=}. JUL reads the
 * property once, when its {@code LogManager} is initialised; if anything initialised it before
 * {@code main}, the program gets the JDK's. With the argument {@code early} it initialises JUL
 * itself first: the control.
 */
public final class JulMain {

    /** The program's own manager. */
    public static final class Manager extends LogManager {
        /** Created by {@link LogManager}, through the system property. */
        public Manager() {
        }
    }

    private JulMain() {
    }

    /** Sets {@code java.util.logging.manager} and prints {@code manager=} and {@code out=}. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("early")) {
            Logger.getLogger("early");
        }
        System.setProperty("java.util.logging.manager", Manager.class.getName());
        System.out.println("manager=" + LogManager.getLogManager().getClass().getName());
        System.out.println("out=" + System.out.getClass().getName());
    }
}
