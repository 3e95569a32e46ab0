/**
 * The atfork API: {@link dev.atfork.AtforkService}. Its package {@code dev.atfork.spi} is for the
 * providers only, and exported to them alone.
 */
module dev.atfork {
    exports dev.atfork;
    exports dev.atfork.spi to dev.atfork.posix, dev.atfork.noop;
    uses dev.atfork.AtforkService;
}
