package dev.atfork.itest.reliability;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * Fork handlers that do nothing, as three {@code java.lang.foreign} upcall stubs registered with
 * glibc's {@code __register_atfork} through a downcall, as the FFM binding registers its own: the
 * floor of any FFM-based binding. JDK 22 and later only; reflective, since this code is compiled
 * for JDK 17.
 */
final class EmptyUpcalls {

    private static final MethodType PHASE = MethodType.methodType(void.class);

    private EmptyUpcalls() {
    }

    static void prepare() {
    }

    static void parent() {
    }

    static void child() {
    }

    /**
     * Makes the stubs, calls each once through native code, and registers them.
     *
     * @param child whether to register the child stub too; without it no Java runs in a child
     */
    static void install(boolean child) throws Throwable {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> valueLayouts = Class.forName("java.lang.foreign.ValueLayout");
        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object options = Array.newInstance(optionClass, 0);
        Object noLayouts = Array.newInstance(layoutClass, 0);
        Object voidOfNothing = descriptorClass.getMethod("ofVoid", noLayouts.getClass()).invoke(null, noLayouts);
        Object arena = arenaClass.getMethod("global").invoke(null);
        MethodHandles.Lookup lookup = MethodHandles.lookup();

        Object[] stubs = new Object[3];
        String[] phases = {"prepare", "parent", "child"};
        for (int i = 0; i < 3; i++) {
            MethodHandle target = lookup.findStatic(EmptyUpcalls.class, phases[i], PHASE);
            stubs[i] = linkerClass.getMethod("upcallStub", MethodHandle.class, descriptorClass, arenaClass,
                    options.getClass()).invoke(linker, target, voidOfNothing, arena, options);
            MethodHandle call = (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass,
                    descriptorClass, options.getClass()).invoke(linker, stubs[i], voidOfNothing, options);
            call.invoke();
        }

        Object address = valueLayouts.getField("ADDRESS").get(null);
        Object addresses = Array.newInstance(layoutClass, 4);
        for (int i = 0; i < 4; i++) {
            Array.set(addresses, i, address);
        }
        Object intOfFourAddresses = descriptorClass.getMethod("of", layoutClass, noLayouts.getClass())
                .invoke(null, valueLayouts.getField("JAVA_INT").get(null), addresses);
        Object lookupOfLibc = linkerClass.getMethod("defaultLookup").invoke(linker);
        Object registerAtfork = ((Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                .getMethod("find", String.class).invoke(lookupOfLibc, "__register_atfork")).orElseThrow();
        MethodHandle register = (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass,
                descriptorClass, options.getClass()).invoke(linker, registerAtfork, intOfFourAddresses, options);
        Object none = segmentClass.getField("NULL").get(null);
        int error = (int) register.invokeWithArguments(stubs[0], stubs[1], child ? stubs[2] : none, none);
        if (error != 0) {
            throw new IllegalStateException("__register_atfork failed: error " + error);
        }
    }
}
