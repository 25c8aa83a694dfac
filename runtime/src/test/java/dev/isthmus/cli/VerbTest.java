package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Main.verb: which command's model a call builds (issue 16: only the invoked one). */
class VerbTest {

    @Test
    void theVerbIsTheFirstArgumentThatIsNoGlobalOptionOrItsValue() {
        assertEquals("state", Main.verb("state", "x"));
        assertEquals("state", Main.verb("--root", "/run/x", "state", "x"));
        assertEquals("state", Main.verb("--root=/run/x", "--debug", "state", "x"));
        assertEquals("kill", Main.verb("--log", "/tmp/l", "--log-format", "json", "kill", "x", "KILL"));
        // --state-mode's value is a command's name too; it is the option's value, not the verb.
        assertEquals("create", Main.verb("--state-mode", "exec", "create", "-b", "b", "x"));
        assertEquals("run", Main.verb("--state-mode=exec", "run", "x"));
        assertEquals("delete", Main.verb("--rootless", "false", "--systemd-cgroup", "delete", "-f", "x"));
    }

    @Test
    void noVerbOrAnUnknownOneGivesNone() {
        assertNull(Main.verb());
        assertNull(Main.verb("--version"));
        assertNull(Main.verb("--root", "state"));
        assertNull(Main.verb("stat", "x"));
        assertNull(Main.verb("--", "state"));
    }

    @Test
    void thePreservedFdsAreFoundBeforePicocliParses() {
        // PreservedFds.prepare runs before the warm-up threads, so before picocli
        assertEquals(2, Main.preserveFds("run", "--preserve-fds", "2", "-b", "b", "x"));
        assertEquals(5, Main.preserveFds("--root", "/r", "exec", "--preserve-fds=5", "x", "sh"));
        assertEquals(0, Main.preserveFds("create", "-b", "b", "x"));
        assertEquals(0, Main.preserveFds("run", "--preserve-fds", "many", "x"));
        assertEquals(0, Main.preserveFds("run", "--preserve-fds", "-1", "x"));
        assertEquals(0, Main.preserveFds("run", "x", "--preserve-fds"));
    }

    @Test
    void everyCommandIsKnown() {
        assertEquals(java.util.List.of("run", "spec", "batch", "bench", "create", "start", "state", "kill", "delete", "exec",
                "features", "list", "ps", "aot-training", "update", "pause", "resume", "events"),
                java.util.List.copyOf(Main.commandNames()));
        for (String c : Main.commandNames()) {
            assertEquals(c, Main.verb("--root", "/r", c));
        }
    }
}
