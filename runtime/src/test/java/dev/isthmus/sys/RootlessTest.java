package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.IdMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rootless detection (runc's rule), the state root, and the subordinate id check. */
class RootlessTest {

    @Test
    void rootlessWhenNotRootOrInAPartialUserNamespace() {
        assertTrue(Rootless.detect(1000, "         0          0 4294967295\n"));
        assertFalse(Rootless.detect(0, "         0          0 4294967295\n"));
        assertTrue(Rootless.detect(0, "         0       1000          1\n         1     100000      65536\n"), "rootless podman's");
        assertTrue(Rootless.detect(0, "         0       1000          1\n"));
        assertFalse(Rootless.detect(0, null), "an unreadable map: the initial namespace is assumed");
    }

    @Test
    void theFlagTakesTrueFalseAutoAndNothingElse() {
        boolean before = Rootless.active();
        try {
            assertTrue(Rootless.configure("true"));
            assertFalse(Rootless.configure("false"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rootless.configure("yes"));
            assertEquals("--rootless: must be true, false or auto", e.getMessage());
        } finally {
            Rootless.configure(before ? "true" : "false");
        }
    }

    @Test
    void stateRootIsUnderXdgRuntimeDirAndItsAbsenceIsNamed() {
        assertEquals("/run/user/1000/isthmus", Rootless.stateRoot("/run/user/1000").toString());
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> Rootless.stateRoot(null));
        assertTrue(unset.getMessage().contains("XDG_RUNTIME_DIR is not set") && unset.getMessage().contains("--root"), unset.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rootless.stateRoot(""));
        assertThrows(IllegalArgumentException.class, () -> Rootless.stateRoot("relative/dir"));
    }

    @Test
    void subordinateRangesAreFoundByNameOrUid() {
        String text = "# comment\nalice:100000:65536\nbob:165536:65536\n1000:300000:10\nbroken:line\nalice:x:5\n";
        assertEquals(List.of(new SubordinateIds.Range(100000, 65536), new SubordinateIds.Range(300000, 10)),
                SubordinateIds.parse(text, "alice", 1000));
        assertEquals(List.of(), SubordinateIds.parse(text, "carol", 1001));
    }

    @Test
    void mappingsMustBeTheCallersOwnIdOrInsideAGrantedRange() {
        List<SubordinateIds.Range> granted = List.of(new SubordinateIds.Range(100000, 65536));
        SubordinateIds.check(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)), 1000, granted, "linux.uidMappings",
                "/etc/subuid");
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class, () -> SubordinateIds.check(
                List.of(new IdMapping(0, 1000, 2)), 1000, granted, "linux.uidMappings", "/etc/subuid"));
        assertTrue(wide.getMessage().startsWith("linux.uidMappings[0]: running rootless, host ids 1000-1001 may not be mapped"),
                wide.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> SubordinateIds.check(
                List.of(new IdMapping(0, 1001, 1), new IdMapping(1, 100001, 65536)), 1001, granted, "linux.gidMappings", "/etc/subgid"));
        assertTrue(past.getMessage().contains("linux.gidMappings[1]") && past.getMessage().contains("host ids 100001-165536")
                && past.getMessage().contains("gid 1001") && past.getMessage().contains("/etc/subgid grants it (100000-165535)"),
                past.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SubordinateIds.check(
                List.of(new IdMapping(0, 5, 1)), 1000, List.of(), "linux.uidMappings", "/etc/subuid"));
        assertTrue(none.getMessage().contains("host id 5") && none.getMessage().contains("(none)"), none.getMessage());
        assertTrue(SubordinateIds.ownOnly(List.of(new IdMapping(0, 1000, 1)), 1000));
        assertFalse(SubordinateIds.ownOnly(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 1)), 1000));
    }
}
