package dev.atfork.posix;

import java.util.Properties;

/**
 * The process-wide marker that names the copy of this module whose native handlers serve the
 * process's forks, so that a second copy (loaded by another class loader, or shaded and
 * relocated into another jar) neither installs a second set of handlers nor wraps
 * {@code System.out} twice. The marker is the system property {@code dev.atfork.owner}, whose value
 * names the copy (its class, jar and class loader); the first copy to
 * turn on {@linkplain #claim() claims} it, a copy that finds another's stays unsupported, and a
 * copy being stopped (an OSGi bundle) {@linkplain #release() releases} it for a refreshed copy.
 *
 * <p>This is a guard, not a wall: anyone can set a system property first, as anyone can define
 * classes in this package (see {@code NativeForkHandlers.claim()}). Nothing here runs at fork time.
 */
final class ProcessOwner {

    /**
     * Built from pieces at run time, not a constant: a shading tool that relocates {@code dev.atfork}
     * rewrites string constants that look like its package names, and every copy, relocated or not,
     * must read the same key. (A constant expression such as {@code "dev" + ".atfork.owner"} would be
     * folded by javac into one constant, and rewritten.)
     */
    static final String KEY = String.join(".", "dev", "atfork", "owner");
    /** This copy's name; a new String, so it is compared by identity and no other copy's value equals it as an object. */
    private static final String SELF = describeSelf();
    /**
     * Whether this copy holds the claim. Once it does, what the property says no longer matters to
     * it: code that overwrites or clears the property cannot switch this copy off.
     */
    private static volatile boolean claimed;

    private ProcessOwner() {
    }

    /**
     * Returns the copy that owns the process's handlers, if it is not this one.
     *
     * @return its name, or {@code null} if no copy or this one does
     */
    static String other() {
        if (claimed) {
            return null;
        }
        Object owner = System.getProperties().get(KEY);
        return owner == null || owner == SELF ? null : String.valueOf(owner);
    }

    /**
     * Claims the process's handlers for this copy, atomically; idempotent.
     *
     * @throws IllegalStateException if another copy owns them; the message names it
     */
    static void claim() {
        if (claimed) {
            return;
        }
        Object owner = System.getProperties().putIfAbsent(KEY, SELF);
        if (owner != null && owner != SELF) {
            throw new IllegalStateException(reason(String.valueOf(owner)));
        }
        claimed = true;
    }

    /** Gives the process's handlers up, if this copy owns them: it is being stopped. */
    static void release() {
        claimed = false;
        Properties properties = System.getProperties();
        if (properties.get(KEY) == SELF) {
            properties.remove(KEY, SELF);
        }
    }

    /** Why a copy that does not own the handlers is unsupported. */
    static String reason(String owner) {
        return "another copy of atfork handles this process's forks: " + owner + " (system property " + KEY
                + "); this copy, " + SELF + ", stays idle";
    }

    /** Where this copy was loaded from, and by which class loader: unique to the copy as an object, readable as text. */
    private static String describeSelf() {
        Class<?> self = ProcessOwner.class;
        String location;
        try {
            java.security.CodeSource source = self.getProtectionDomain().getCodeSource();
            location = source == null || source.getLocation() == null ? "unknown location" : source.getLocation().toString();
        } catch (RuntimeException e) {
            location = "unknown location";
        }
        ClassLoader loader = self.getClassLoader();
        String loaderText = loader == null ? "the boot class loader"
                : loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader))
                        + (loader.getName() == null ? "" : " (" + loader.getName() + ")");
        return new StringBuilder(self.getName()).append(" of ").append(self.getModule().isNamed()
                ? "module " + self.getModule().getName() + ", " : "").append(location).append(", loaded by ")
                .append(loaderText).toString();
    }
}
