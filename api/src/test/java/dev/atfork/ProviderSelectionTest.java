package dev.atfork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProviderSelection#select(List, String, List)} over fake providers. */
class ProviderSelectionTest {

    private final List<String> problems = new ArrayList<>();

    @Test
    void aSupportedProviderBeatsUnsupportedOnesWhateverTheOrder() {
        AtforkService unsupported = FakeProvider.unsupported("other", "other cannot run");
        AtforkService noop = FakeProvider.unsupported("noop", "noop here");
        AtforkService supported = FakeProvider.supported("posix");

        assertSame(supported, ProviderSelection.select(List.of(unsupported, noop, supported), null, problems));
        assertSame(supported, ProviderSelection.select(List.of(supported, noop, unsupported), null, problems));
        assertSame(supported, ProviderSelection.select(List.of(noop, supported), "  ", problems));
    }

    @Test
    void thePropertyChoosesAmongTheProvidersFoundByName() {
        AtforkService noop = FakeProvider.unsupported("noop", "noop here");
        AtforkService supported = FakeProvider.supported("posix");

        assertSame(noop, ProviderSelection.select(List.of(supported, noop), "noop", problems));
        assertSame(noop, ProviderSelection.select(List.of(supported, noop), " noop ", problems));
        assertSame(supported, ProviderSelection.select(List.of(supported, noop), "posix", problems));
        assertEquals(List.of(), problems);
    }

    @Test
    void anUnknownForcedNameGivesANoopNamingTheProperty() {
        List<AtforkService> found = List.of(FakeProvider.supported("posix"), FakeProvider.unsupported("noop", "x"));

        AtforkService selected = ProviderSelection.select(found, "dev.atfork.posix.PosixAtforkService", problems);

        assertNoop(selected);
        String limitation = selected.limitation().orElseThrow();
        assertTrue(limitation.contains("dev.atfork.provider=dev.atfork.posix.PosixAtforkService"), limitation);
        assertTrue(limitation.contains("[posix, noop]"), limitation);
    }

    @Test
    void failuresAreFoldedIntoTheLimitationOfTheNoopUsed() {
        problems.add("a provider failed to load: java.util.ServiceConfigurationError: Provider x could not"
                + " be instantiated, caused by java.lang.UnsatisfiedLinkError: no jnidispatch");
        AtforkService posix = FakeProvider.unsupported("posix", "pthread_atfork cannot be bound here");
        AtforkService noop = FakeProvider.unsupported("noop", "the no-op provider runs no fork hooks on Plan 9");

        AtforkService selected = ProviderSelection.select(List.of(posix, noop), null, problems);

        assertNoop(selected);
        assertNotSame(noop, selected);
        String limitation = selected.limitation().orElseThrow();
        assertTrue(limitation.startsWith("the no-op provider runs no fork hooks on Plan 9 ("), limitation);
        assertTrue(limitation.contains("posix: pthread_atfork cannot be bound here"), limitation);
        assertTrue(limitation.contains("java.lang.UnsatisfiedLinkError: no jnidispatch"), limitation);
    }

    @Test
    void aNoopProviderAloneGivesItsOwnLimitation() {
        AtforkService noop = FakeProvider.unsupported("noop", "no fork hooks on Plan 9");

        AtforkService selected = ProviderSelection.select(List.of(noop), null, problems);

        assertNoop(selected);
        assertEquals("no fork hooks on Plan 9", selected.limitation().orElseThrow());
    }

    @Test
    void withNoProviderABuiltInNoopNamesTheJarToAdd() {
        AtforkService selected = ProviderSelection.select(List.of(), null, problems);

        assertNoop(selected);
        String limitation = selected.limitation().orElseThrow();
        assertTrue(limitation.contains("dev.atfork:atfork-posix"), limitation);
        assertFalse(limitation.contains("("), limitation);
    }

    @Test
    void aNamedApiModuleWithoutThePosixModuleInItsLayerSaysToAddIt() {
        Module named = Object.class.getModule(); // in the boot layer, which here has no dev.atfork.posix

        String hint = ProviderSelection.missingModuleHint(named, List.of(FakeProvider.unsupported("noop", "x")));

        assertEquals("; module dev.atfork.posix is not in the boot layer"
                + " (in a jlink image, link it with --add-modules dev.atfork.posix)", hint);
    }

    @Test
    void onTheClassPathOrWithAPosixProviderFoundThereIsNoModuleHint() {
        assertEquals("", ProviderSelection.missingModuleHint(ProviderSelectionTest.class.getModule(), List.of()));
        assertEquals("", ProviderSelection.missingModuleHint(Object.class.getModule(),
                List.of(FakeProvider.unsupported("posix", "pthread_atfork cannot be bound here"))));
    }

    static void assertNoop(AtforkService service) {
        assertEquals("noop", service.name());
        assertFalse(service.isSupported());
        assertTrue(service.limitation().isPresent());
    }
}
