package dev.atfork.itest.osgi.listener;

import dev.atfork.ForkListener;
import dev.atfork.itest.osgi.shared.Recorder;
import org.osgi.service.component.annotations.Component;

/** A whiteboard fork listener in its own bundle; it marks p, a and c in the {@link Recorder}. */
@Component(service = ForkListener.class)
public final class RecordingListener implements ForkListener {

    @Override
    public void preFork() {
        Recorder.mark('p');
    }

    @Override
    public void afterForkParent() {
        Recorder.mark('a');
    }

    @Override
    public void afterForkChild() {
        // Runs in the child: only code and classes the parent has used (preFork resolved Recorder).
        Recorder.mark('c');
    }
}
