package dev.atfork.posix.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.posix.libc.Libc;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libc through {@code java.lang.foreign}: the binding on JDK 22 and later. Its downcalls are
 * {@code static final}, so that the JIT inlines them; {@code getpid} and {@code write} are
 * critical, so they make no thread-state transition and copy nothing.
 */
public final class FfmLibc extends Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle GETPID;
    private static final MethodHandle WRITE;
    private static final MethodHandle PTHREAD_ONCE;
    /** glibc's exported atfork entry; its {@code pthread_atfork} is a static stub no lookup finds. */
    private static final boolean GLIBC;
    private static final MethodHandle REGISTER_ATFORK;

    static {
        if (ADDRESS.byteSize() != Long.BYTES) {
            throw new UnsupportedOperationException("only LP64 platforms are supported, pointers have "
                    + ADDRESS.byteSize() + " bytes here");
        }
        GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
        WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
                Linker.Option.critical(true));
        PTHREAD_ONCE = downcall("pthread_once", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        GLIBC = LIBC.find("__register_atfork").isPresent();
        REGISTER_ATFORK = GLIBC
                ? downcall("__register_atfork", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS))
                : downcall("pthread_atfork", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    private FfmLibc() {
    }

    /**
     * Binds libc through {@code java.lang.foreign}.
     *
     * @return the binding
     * @throws IllegalCallerException if the JVM denies this module native access
     */
    public static Libc bind() {
        return new FfmLibc();
    }

    @Override
    public String binding() {
        return "ffm";
    }

    @Override
    public int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("getpid failed", e);
        }
    }

    @Override
    public void write(int fd, byte[] bytes, int length) {
        try {
            long written = (long) WRITE.invokeExact(fd, MemorySegment.ofArray(bytes), (long) length);
        } catch (Throwable ignored) {
            // As documented: errors are ignored.
        }
    }

    @Override
    public ForkEntries forkEntries(NativeForkHandlers handlers) {
        return new UpcallEntries(handlers);
    }

    /** Calls {@code upcall} once through {@code pthread_once}, the way libc calls it at fork. */
    static void warmUp(MemorySegment upcall) {
        MemorySegment onceControl = Arena.global().allocate(16);
        if (System.getProperty("os.name").startsWith("Mac")) {
            onceControl.set(JAVA_LONG, 0, 0x30B1BCBAL); // macOS PTHREAD_ONCE_INIT signature
        }
        int error;
        try {
            error = (int) PTHREAD_ONCE.invokeExact(onceControl, upcall);
        } catch (Throwable e) {
            throw new IllegalStateException("pthread_once failed", e);
        }
        if (error != 0) {
            throw new IllegalStateException("pthread_once failed: error " + error);
        }
    }

    /** Registers the three functions with libc; {@link MemorySegment#NULL} leaves a phase alone. */
    static void registerAtfork(MemorySegment prepare, MemorySegment parent, MemorySegment child) {
        int error;
        try {
            error = GLIBC
                    ? (int) REGISTER_ATFORK.invokeExact(prepare, parent, child, MemorySegment.NULL)
                    : (int) REGISTER_ATFORK.invokeExact(prepare, parent, child);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot register the fork handlers", e);
        }
        if (error != 0) {
            throw new IllegalStateException((GLIBC ? "__register_atfork" : "pthread_atfork") + " failed: error " + error);
        }
    }

    /** Upcall stubs live in the global arena, so they are never freed: libc can't forget them. */
    static MemorySegment upcallStub(MethodHandle target) {
        return upcallStub(target, Arena.global());
    }

    /** An upcall stub of {@code void (*)(void)} that lives as long as {@code arena}. */
    static MemorySegment upcallStub(MethodHandle target, Arena arena) {
        return LINKER.upcallStub(target, FunctionDescriptor.ofVoid(), arena);
    }

    /** A downcall to {@code function}, a native function of no argument and no result. */
    static MethodHandle caller(MemorySegment function) {
        return LINKER.downcallHandle(function, FunctionDescriptor.ofVoid());
    }

    private static MethodHandle downcall(String name, FunctionDescriptor function, Linker.Option... options) {
        MemorySegment address = LIBC.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name + " here"));
        return LINKER.downcallHandle(address, function, options);
    }
}
