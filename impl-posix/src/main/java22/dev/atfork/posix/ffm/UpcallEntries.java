package dev.atfork.posix.ffm;

import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.foreign.Arena;
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
    /** How many throwaway stubs, and calls to each: below the 127 after which a handle is specialised. */
    private static final int GLUE_STUBS = 100;
    private static final int CALLS_PER_GLUE_STUB = 100;

    private final NativeForkHandlers handlers;
    private MemorySegment prepare;
    private MemorySegment parent;
    private MemorySegment child;
    private MethodHandle callPrepare;
    private MethodHandle callParent;

    UpcallEntries(NativeForkHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    public void registerPrepareAndParent() {
        prepare = stub("prepare");
        parent = stub("parent");
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
     * Through the upcall stubs themselves, called as native functions: each stub's method handles
     * are specialised for it, so only calls through the stub profile and compile them.
     */
    @Override
    public void runWithoutForking(int forks) {
        if (prepare == null) { // the native handlers were installed through other entries: no stubs here
            for (int i = 0; i < forks; i++) {
                prepare();
                parent();
            }
            return;
        }
        if (callPrepare == null) {
            compileSharedGlue();
            callPrepare = FfmLibc.caller(prepare);
            callParent = FfmLibc.caller(parent);
        }
        try {
            for (int i = 0; i < forks; i++) {
                callPrepare.invokeExact();
                callParent.invokeExact();
            }
        } catch (Throwable e) {
            throw new IllegalStateException("an upcall stub failed", e);
        }
    }

    /**
     * The child stub's glue is the JDK's shared method handle code, which the prepare and parent
     * stubs stop running once their handles are specialised: a child would run it interpreted and
     * could ask the JIT for a compile there. Throwaway stubs of the child's shape, each called
     * fewer times than a handle is specialised after, run it until it is compiled.
     */
    private void compileSharedGlue() {
        try {
            MethodHandle idle = MethodHandles.lookup().findVirtual(UpcallEntries.class, "idle", PHASE);
            for (int s = 0; s < GLUE_STUBS; s++) {
                try (Arena arena = Arena.ofConfined()) {
                    MethodHandle call = FfmLibc.caller(FfmLibc.upcallStub(idle.bindTo(this), arena));
                    for (int i = 0; i < CALLS_PER_GLUE_STUB; i++) {
                        call.invokeExact();
                    }
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("an upcall stub failed", e);
        }
    }

    private void idle() {
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
