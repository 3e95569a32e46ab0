package dev.atfork.itest.support;

/** The binding the tests expect the POSIX provider to take in the JVMs they start. */
public final class TestBinding {

    /** The system property that forces atfork's binding; {@link JavaLauncher} passes it on. */
    public static final String PROPERTY = "dev.atfork.binding";
    /** The first JDK on which the provider binds through {@code java.lang.foreign}. */
    public static final int FFM_RELEASE = 22;

    private TestBinding() {
    }

    /** The binding forced for this test run ({@code -Dtest.binding}), else the JDK's own: FFM on 22+, JNA before. */
    public static String expected() {
        String forced = System.getProperty(PROPERTY, "");
        return !forced.isBlank() ? forced : Runtime.version().feature() >= FFM_RELEASE ? "ffm" : "jna";
    }
}
