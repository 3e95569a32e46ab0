/** A module that reaches for the providers' package, which the API does not export to it. */
module intruder {
    requires dev.atfork;
}
