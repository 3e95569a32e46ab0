package dev.atfork.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's options and the system properties they set. */
@Timeout(10)
class AgentOptionsTest {

    @Test
    void noOptionsSetNothing() {
        assertEquals(Map.of(), AgentOptions.parse(null).properties());
        assertEquals(Map.of(), AgentOptions.parse("").properties());
        assertEquals(Map.of(), AgentOptions.parse(" , ").properties());
    }

    @Test
    void bothOptionsMapToTheLibrarysProperties() {
        assertEquals(Map.of("dev.atfork.prepareTimeoutMillis", "250", "dev.atfork.reportForcedRelease", "false"),
                AgentOptions.parse("prepareTimeoutMillis=250, quiet").properties());
    }

    @Test
    void aBadOptionIsRefusedByName() {
        assertMessage("unknown option 'loud'", "quiet,loud");
        assertMessage("unknown option 'Quiet'", "Quiet");
        assertMessage("option quiet takes no value: 'quiet=true'", "quiet=true");
        assertMessage("'prepareTimeoutMillis=-1'", "prepareTimeoutMillis=-1");
        assertMessage("'prepareTimeoutMillis=1.5'", "prepareTimeoutMillis=1.5");
        assertMessage("'prepareTimeoutMillis='", "prepareTimeoutMillis=");
        assertMessage("'prepareTimeoutMillis'", "prepareTimeoutMillis");
        assertMessage("'prepareTimeoutMillis=99999999999999999999'", "prepareTimeoutMillis=99999999999999999999");
        assertMessage("'prepareTimeoutMillis=9223372036855'", "prepareTimeoutMillis=9223372036855");
        assertMessage("'quiet' is given twice", "quiet,quiet");
        assertMessage("'prepareTimeoutMillis=2' is given twice", "prepareTimeoutMillis=1,prepareTimeoutMillis=2");
    }

    @Test
    void optionsSetTheirProperties() {
        Properties system = new Properties();
        AgentOptions.parse("prepareTimeoutMillis=7,quiet").apply(system);

        assertEquals("7", system.getProperty("dev.atfork.prepareTimeoutMillis"));
        assertEquals("false", system.getProperty("dev.atfork.reportForcedRelease"));
    }

    @Test
    void aPropertyGivenWithTheSameValueIsFine() {
        Properties system = new Properties();
        system.setProperty("dev.atfork.prepareTimeoutMillis", " 07 ");
        system.setProperty("dev.atfork.reportForcedRelease", "FALSE");
        AgentOptions.parse("prepareTimeoutMillis=7,quiet").apply(system);

        assertEquals("7", system.getProperty("dev.atfork.prepareTimeoutMillis"));
    }

    @Test
    void aPropertyGivenWithAnotherValueIsRefusedAndNothingIsSet() {
        Properties system = new Properties();
        system.setProperty("dev.atfork.reportForcedRelease", "true");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentOptions.parse("prepareTimeoutMillis=7,quiet").apply(system));

        assertEquals("option 'quiet' differs from -Ddev.atfork.reportForcedRelease=true; give one of them, or the same"
                + " value", e.getMessage());
        assertEquals(null, system.getProperty("dev.atfork.prepareTimeoutMillis"), "nothing is set");

        Properties other = new Properties();
        other.setProperty("dev.atfork.prepareTimeoutMillis", "100");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentOptions.parse("prepareTimeoutMillis=7").apply(other)).getMessage()
                .contains("-Ddev.atfork.prepareTimeoutMillis=100"));
    }

    private static void assertMessage(String expected, String args) {
        String message = assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse(args)).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
