package dev.atfork.itest.classpath;

import dev.atfork.AtforkService;

/** Prints what {@link AtforkService#load()} returns, then whether JNA's native part loads here. */
public final class LoadMain {

    private LoadMain() {
    }

    /**
     * Entry point.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        AtforkService service = AtforkService.load();
        System.out.println("name=" + service.name());
        System.out.println("supported=" + service.isSupported());
        System.out.println("limitation=" + service.limitation().orElse(""));
        String jna;
        try {
            jna = "loads, pointer size " + com.sun.jna.Native.POINTER_SIZE;
        } catch (Throwable e) {
            jna = "fails: " + e;
        }
        System.out.println("jna=" + jna);
    }
}
