package dev.atfork.posix.libc;

import dev.atfork.spi.NativeForkHandlers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;

/**
 * Chooses how libc is bound, once per class loader: through {@code java.lang.foreign} on JDK 22
 * and later, through JNA before. {@code -Ddev.atfork.binding=jna|ffm} forces one; a forced
 * binding that cannot work leaves the provider unsupported, never bound the other way.
 */
public final class Bindings {

    /** The system property that forces a binding. */
    public static final String PROPERTY = "dev.atfork.binding";
    /** The first JDK whose {@code java.lang.foreign} the FFM binding uses. */
    static final int FFM_FEATURE_RELEASE = 22;
    private static final String FFM_CLASS = "dev.atfork.posix.ffm.FfmLibc";
    private static final String JNA_CLASS = "dev.atfork.posix.jna.JnaLibc";
    /** The JNA class that loads its native library: where it is denied, JNA's module needs the flag. */
    private static final String JNA_NATIVE_CLASS = "com.sun.jna.Native";

    /** The binding in use; where none could be made, one whose every call throws. */
    public static final Libc LIBC;
    /** Why no binding could be made, or {@code null}. */
    public static final Throwable FAILURE;

    static {
        Libc libc;
        Throwable failure = null;
        try {
            libc = bind(System.getProperty(PROPERTY));
        } catch (Throwable e) {
            failure = explained(rootCause(e), e);
            libc = new Unbound(failure);
        }
        LIBC = libc;
        FAILURE = failure;
    }

    private Bindings() {
    }

    /** The operating system, its version and the architecture, for messages. */
    public static String platform() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " (" + System.getProperty("os.arch") + ")";
    }

    private static Libc bind(String forced) throws Throwable {
        boolean ffmRuntime = Runtime.version().feature() >= FFM_FEATURE_RELEASE;
        if (forced == null || forced.isBlank()) {
            return ffmRuntime && present(FFM_CLASS) ? load(FFM_CLASS) : load(JNA_CLASS);
        }
        switch (forced.strip().toLowerCase(Locale.ROOT)) {
            case "jna":
                return load(JNA_CLASS);
            case "ffm":
                if (!ffmRuntime) {
                    throw new UnsupportedOperationException(PROPERTY + "=ffm needs JDK " + FFM_FEATURE_RELEASE
                            + " or later; this is JDK " + Runtime.version().feature());
                }
                return load(FFM_CLASS);
            default:
                throw new IllegalArgumentException("system property " + PROPERTY + " must be jna or ffm, not '"
                        + forced + "'");
        }
    }

    /** The FFM classes are in the jar's {@code META-INF/versions/22}, which older JDKs don't read. */
    private static boolean present(String className) {
        return Bindings.class.getClassLoader().getResource(className.replace('.', '/') + ".class") != null;
    }

    /** Calls {@code className.bind()}, which binds libc or throws why it cannot, as a {@link BindingFailure}. */
    private static Libc load(String className) throws Throwable {
        try {
            Class<?> binding = Class.forName(className, true, Bindings.class.getClassLoader());
            return (Libc) MethodHandles.lookup().findStatic(binding, "bind", MethodType.methodType(Libc.class)).invoke();
        } catch (Throwable e) {
            throw new BindingFailure(className, e);
        }
    }

    /** Which binding failed, and why. */
    private static final class BindingFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final String className;

        BindingFailure(String className, Throwable cause) {
            super(cause);
            this.className = className;
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Names the flag to pass where the JVM denies native access: to this module for the FFM
     * binding, to JNA's for the JNA binding ({@code ALL-UNNAMED} on the class path).
     */
    private static Throwable explained(Throwable cause, Throwable thrown) {
        if (!(cause instanceof IllegalCallerException) || !(thrown instanceof BindingFailure)) {
            return cause;
        }
        Module module = Bindings.class.getModule();
        if (((BindingFailure) thrown).className.equals(JNA_CLASS)) {
            try {
                module = Class.forName(JNA_NATIVE_CLASS, false, Bindings.class.getClassLoader()).getModule();
            } catch (ClassNotFoundException e) {
                return cause;
            }
        }
        String grantee = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        return new IllegalStateException("native access is denied to " + (module.isNamed() ? module : "the class path")
                + ": pass --enable-native-access="
                + grantee + " to the JVM (" + cause + ")", cause);
    }

    /** Stands in where libc could not be bound: every call throws why. */
    private static final class Unbound extends Libc {
        private final Throwable failure;

        Unbound(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public String binding() {
            return "none";
        }

        @Override
        public int getpid() {
            throw unbound();
        }

        @Override
        public void write(int fd, byte[] bytes, int length) {
            throw unbound();
        }

        @Override
        public ForkEntries forkEntries(NativeForkHandlers handlers) {
            throw unbound();
        }

        private IllegalStateException unbound() {
            return new IllegalStateException("libc is not bound: " + failure, failure);
        }
    }
}
