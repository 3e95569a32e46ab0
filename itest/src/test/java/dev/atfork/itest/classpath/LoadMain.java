package dev.atfork.itest.classpath;

import dev.atfork.AtforkService;

/**
 * Prints what {@link AtforkService#load()} returns, then whether JNA's native part loads here;
 * with the argument {@code register}, also how {@link AtforkService#register()} went.
 */
public final class LoadMain {

    private LoadMain() {
    }

    /**
     * Entry point.
     *
     * @param args {@code register} to call {@link AtforkService#register()} too
     */
    public static void main(String[] args) {
        AtforkService service = AtforkService.load();
        System.out.println("name=" + service.name());
        System.out.println("supported=" + service.isSupported());
        System.out.println("limitation=" + service.limitation().orElse(""));
        if (args.length > 0 && args[0].equals("register")) {
            try {
                service.register();
                System.out.println("register=ok");
            } catch (RuntimeException e) {
                System.out.println("register=fails: " + e);
            }
        }
        String jna;
        try {
            jna = "loads, pointer size " + com.sun.jna.Native.POINTER_SIZE;
        } catch (Throwable e) {
            jna = "fails: " + e;
        }
        System.out.println("jna=" + jna);
    }
}
