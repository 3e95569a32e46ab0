/** The POSIX atfork provider: pthread_atfork bound through java.lang.foreign on JDK 22+, through JNA before. */
module dev.atfork.posix {
    requires dev.atfork;
    requires com.sun.jna;
    requires static org.osgi.service.component;
    // The dev.atfork.Fork JFR event, recorded only where jdk.jfr is resolved (see ForkRecorder).
    requires static jdk.jfr;
    requires static org.osgi.service.component.annotations;
    provides dev.atfork.AtforkService with dev.atfork.posix.PosixAtforkService;
}
