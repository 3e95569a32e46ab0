package dev.atfork.testing;

import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** A logging handler that does what it is given with each record, such as adding it to a list. */
public final class LogCapture extends Handler {

    private final Consumer<LogRecord> onRecord;

    /** A handler that passes each record to {@code onRecord}. */
    public LogCapture(Consumer<LogRecord> onRecord) {
        this.onRecord = onRecord;
    }

    @Override
    public void publish(LogRecord record) {
        onRecord.accept(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
