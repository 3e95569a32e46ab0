package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The marker's key is the same for every copy, relocated or not. */
@Timeout(10)
class ProcessOwnerTest {

    @Test
    void theKeyIsDevAtforkOwnerYetNoConstantOfTheClassFileSpellsIt() throws IOException {
        assertEquals("dev.atfork.owner", ProcessOwner.KEY);
        try (InputStream in = ProcessOwner.class.getResourceAsStream("ProcessOwner.class")) {
            String classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            // A shading tool that relocates dev.atfork rewrites such constants; pieces it leaves alone.
            assertFalse(classFile.contains("dev.atfork.owner"), "a relocation would rewrite the key");
            assertFalse(classFile.contains("dev/atfork/owner"), "a relocation would rewrite the key");
        }
    }
}
