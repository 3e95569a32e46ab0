/** The POSIX atfork provider: pthread_atfork bound through java.lang.foreign on JDK 22+, through JNA before. */
module dev.atfork.posix {
    requires dev.atfork;
    requires com.sun.jna;
    requires static org.osgi.service.component;
    requires static org.osgi.service.component.annotations;
    provides dev.atfork.AtforkService with dev.atfork.posix.PosixAtforkService;
}
