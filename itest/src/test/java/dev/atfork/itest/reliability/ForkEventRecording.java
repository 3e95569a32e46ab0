package dev.atfork.itest.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;

/** A JFR recording of this JVM with only {@code dev.atfork.Fork} enabled, or none, for {@link ForkCostBenchmark}. */
final class ForkEventRecording {

    private static final String EVENT = "dev.atfork.Fork";
    private final Recording recording = new Recording();

    /**
     * Starts recording.
     *
     * @param enabled whether the event is enabled; if not, the recording runs with no event enabled
     * @param withoutStackTrace the events carry no stack trace
     */
    ForkEventRecording(boolean enabled, boolean withoutStackTrace) {
        recording.setName("atfork-fork-cost");
        if (!enabled) {
            recording.disable(EVENT);
        } else if (withoutStackTrace) {
            recording.enable(EVENT).withoutStackTrace();
        } else {
            recording.enable(EVENT);
        }
        recording.start();
    }

    /** Stops the recording and returns how many {@code dev.atfork.Fork} events it holds. */
    long stopAndCount() throws IOException {
        recording.stop();
        Path file = Files.createTempFile("atfork-fork-cost", ".jfr");
        try {
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(event -> event.getEventType().getName().equals(EVENT)).count();
        } finally {
            recording.close();
            Files.deleteIfExists(file);
        }
    }
}
