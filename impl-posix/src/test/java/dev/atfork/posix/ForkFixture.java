package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the fork tests of this package share: one trace marked by hooks in the parent, one marked by
 * hooks in the child, a child action that sends the child's trace, and the registrations a test
 * made, closed together with a deregistration at its end: by {@link #close()}, or after each test
 * when the test class registers the fixture with {@code @RegisterExtension}.
 */
final class ForkFixture implements AutoCloseable, AfterEachCallback {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final Trace PARENT = new Trace();
    static final Trace CHILD = new Trace();
    /** Sends the child's trace through the report pipe and exits 0. */
    static final Forker.ChildAction SEND_CHILD_TRACE = fd -> {
        CHILD.writeTo(fd);
        return 0;
    };

    static {
        try {
            SEND_CHILD_TRACE.run(-1); // resolves the action in the parent
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final AtforkService service = new PosixAtforkService();
    private final List<Registration> registrations = new ArrayList<>();

    ForkFixture() {
        assertTrue(service.isSupported(), () -> service.limitation().orElse("no limitation given"));
        PARENT.reset();
        CHILD.reset();
    }

    /** Keeps {@code registration} to close it at the end of the test. */
    Registration keep(Registration registration) {
        registrations.add(registration);
        return registration;
    }

    /** Forks once with fresh traces; asserts that the child exited 0 and returns its trace. */
    static String forkAndGetChildTrace() {
        Forker.Result result = Forker.forkRetryingJvmHangs(() -> {
            PARENT.reset();
            CHILD.reset();
        }, SEND_CHILD_TRACE, TIMEOUT, Forker.Capture.NONE);
        assertTrue(result.exited(0), result::toString);
        assertTrue(CHILD.toString().isEmpty(), () -> "a child hook ran in the parent: " + CHILD);
        return result.reportText();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        registrations.forEach(Registration::close);
        service.deregister();
        PARENT.reset();
        CHILD.reset();
    }
}
