/** The atfork API: {@link dev.atfork.AtforkService} and, for providers only, {@code dev.atfork.spi}. */
module dev.atfork {
    exports dev.atfork;
    exports dev.atfork.spi;
    uses dev.atfork.AtforkService;
}
