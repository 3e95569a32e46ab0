/** A consumer of atfork on the module path: nothing but the API is required. */
module consumer {
    requires dev.atfork;
    uses dev.atfork.AtforkService;
}
