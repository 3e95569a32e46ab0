package dev.atfork;

import static dev.atfork.ProviderSelectionTest.assertNoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AtforkService#load()} through ServiceLoader, which finds the test providers listed in
 * {@code META-INF/services}: {@link BrokenProvider}, which fails to load, and the unsupported
 * {@link UnsupportedProvider} named "fake".
 */
class LoadTest {

    private String savedProperty;

    @BeforeEach
    void saveProperty() {
        savedProperty = System.clearProperty(ProviderSelection.PROVIDER_PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(ProviderSelection.PROVIDER_PROPERTY);
        } else {
            System.setProperty(ProviderSelection.PROVIDER_PROPERTY, savedProperty);
        }
    }

    @Test
    void aProviderThatFailsToLoadIsSkippedAndNamedInTheLimitation() {
        AtforkService service = AtforkService.load();

        assertNoop(service);
        String limitation = service.limitation().orElseThrow();
        assertTrue(limitation.contains("dev.atfork:atfork-posix"), limitation);
        assertTrue(limitation.contains("java.lang.UnsatisfiedLinkError: fake: no jnidispatch"), limitation);
        assertTrue(limitation.contains("fake: fake cannot run here"), limitation);
    }

    @Test
    void thePropertyForcesAProviderFoundByName() {
        System.setProperty(ProviderSelection.PROVIDER_PROPERTY, "fake");

        assertInstanceOf(UnsupportedProvider.class, AtforkService.load());
    }

    @Test
    void thePropertyNeverLoadsAClassByName() {
        for (String wanted : new String[] {"unlisted", UnlistedProvider.class.getName()}) {
            System.setProperty(ProviderSelection.PROVIDER_PROPERTY, wanted);

            AtforkService service = AtforkService.load();

            assertNoop(service);
            String limitation = service.limitation().orElseThrow();
            assertTrue(limitation.contains("dev.atfork.provider=" + wanted + " names no provider; found [fake]"),
                    limitation);
        }
        assertFalse(UnlistedProvider.LoadProbe.unlistedInitialized);
    }

    @Test
    void loadNeverReturnsNullAndAgreesWithItself() {
        AtforkService first = AtforkService.load();
        AtforkService second = AtforkService.load();

        assertEquals(first.name(), second.name());
        assertEquals(first.limitation(), second.limitation());
    }
}
