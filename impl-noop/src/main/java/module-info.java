/** The no-op atfork provider, for platforms without pthreads. */
module dev.atfork.noop {
    requires dev.atfork;
    requires static org.osgi.service.component.annotations;
    provides dev.atfork.AtforkService with dev.atfork.noop.NoopAtforkService;
}
