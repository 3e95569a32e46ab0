package dev.atfork.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.Registration;
import org.junit.jupiter.api.Test;

class HookListTest {

    private final HookList hooks = new HookList();
    private final StringBuilder ran = new StringBuilder();

    private Runnable marker(char mark) {
        return () -> ran.append(mark);
    }

    private String runAll() {
        ran.setLength(0);
        for (Runnable hook : hooks.snapshot()) {
            hook.run();
        }
        return ran.toString();
    }

    @Test
    void theMostRecentlyAddedRunsFirst() {
        assertTrue(hooks.isEmpty());
        hooks.add(marker('a'));
        hooks.add(marker('b'));
        hooks.add(marker('c'));

        assertFalse(hooks.isEmpty());
        assertEquals("cba", runAll());
    }

    @Test
    void closeRemovesOnlyItsOwnEntryAndIsIdempotent() {
        Runnable shared = marker('s');
        Registration first = hooks.add(shared);
        hooks.add(marker('m'));
        Registration second = hooks.add(shared);
        assertEquals("sms", runAll());

        first.close();
        first.close();
        assertEquals("sm", runAll());

        second.close();
        assertEquals("m", runAll());
    }

    @Test
    void closingEveryEntryEmptiesTheList() {
        Registration a = hooks.add(marker('a'));
        Registration b = hooks.add(marker('b'));
        a.close();
        b.close();
        a.close();

        assertTrue(hooks.isEmpty());
        assertEquals("", runAll());
    }

    @Test
    void aSnapshotTakenBeforeAChangeDoesNotSeeIt() {
        Registration a = hooks.add(marker('a'));
        Runnable[] before = hooks.snapshot();

        hooks.add(marker('b'));
        a.close();

        assertEquals(1, before.length);
        before[0].run();
        assertEquals("a", ran.toString());
        assertEquals("b", runAll());
    }

    @Test
    void aNullHookIsRejectedNamingTheArgument() {
        NullPointerException thrown = assertThrows(NullPointerException.class, () -> hooks.add(null));

        assertEquals("hook", thrown.getMessage());
        assertArrayEquals(new Runnable[0], hooks.snapshot());
    }
}
