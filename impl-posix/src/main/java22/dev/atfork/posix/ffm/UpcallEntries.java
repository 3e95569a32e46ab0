package dev.atfork.posix.ffm;

import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The functions libc calls at fork, as upcall stubs into one {@link NativeForkHandlers} set. A
 * thread the JVM did not create is attached for an upcall and stays attached, as a daemon, until
 * it exits, so the prepare and parent phases of its fork run on one {@link Thread}.
 */
final class UpcallEntries implements ForkEntries {

    private static final MethodType PHASE = MethodType.methodType(void.class);

    private final NativeForkHandlers handlers;
    private MemorySegment child;

    UpcallEntries(NativeForkHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    public void registerPrepareAndParent() {
        MemorySegment prepare = stub("prepare");
        MemorySegment parent = stub("parent");
        FfmLibc.warmUp(prepare);
        FfmLibc.warmUp(parent);
        FfmLibc.registerAtfork(prepare, parent, MemorySegment.NULL);
    }

    @Override
    public void registerChild() {
        if (child == null) {
            child = stub("child");
        }
        FfmLibc.warmUp(child);
        FfmLibc.registerAtfork(MemorySegment.NULL, MemorySegment.NULL, child);
    }

    /**
     * From Java: through libc, the upcalls' own method handles, specialised for each stub, would be
     * on the path too, but they cost several times as much per call there and reach the optimising
     * compiler only after tens of thousands of calls.
     */
    @Override
    public void runWithoutForking(int forks) {
        for (int i = 0; i < forks; i++) {
            prepare();
            parent();
        }
    }

    private MemorySegment stub(String phase) {
        try {
            MethodHandle target = MethodHandles.lookup().findVirtual(UpcallEntries.class, phase, PHASE);
            return FfmLibc.upcallStub(target.bindTo(this));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** libc's prepare handler; an exception reaching native code would end the JVM. */
    private void prepare() {
        try {
            handlers.prepare();
        } catch (Throwable ignored) {
            // The dispatcher reports hook failures itself.
        }
    }

    private void parent() {
        try {
            handlers.parent();
        } catch (Throwable ignored) {
            // As in prepare.
        }
    }

    private void child() {
        try {
            handlers.child();
        } catch (Throwable ignored) {
            // As in prepare.
        }
    }
}
