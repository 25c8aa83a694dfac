package dev.isthmus.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NameTablesTest {
    @Test
    void signalsParseTheirFormat() {
        for (int n = 1; n <= Signals.MAX; n++) {
            assertEquals(n, Signals.parse(Signals.format(n)), Signals.format(n));
        }
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("TERM"));
        assertEquals(15, Signals.parse("term"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(9, Signals.parse("SIGKILL"));
        assertEquals(10, Signals.parse("USR1"));
        assertEquals(17, Signals.parse("SIGCHLD"));
        assertEquals(6, Signals.parse("SIGIOT"));
        assertEquals(34, Signals.parse("SIGRTMIN"));
        assertEquals(37, Signals.parse("SIGRTMIN+3"));
        assertEquals(62, Signals.parse("RTMAX-2"));
        assertEquals(64, Signals.parse("SIGRTMAX"));
        assertEquals("SIGRTMIN+15", Signals.format(49));
        assertEquals("SIGRTMAX-14", Signals.format(50));
        assertEquals("SIGWINCH", Signals.format(28));
        assertEquals(31 + 31, Signals.names().size());
    }

    @Test
    void signalsRejectUnknownWithoutEchoing() {
        for (String bad : new String[] {"", "0", "65", "SIGS3CR3T", "RTMIN+31", "RTMAX-31", "-1", "1x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.parse(bad));
            if (!bad.isEmpty()) {
                assertFalse(e.getMessage().contains(bad), e.getMessage());
            }
        }
    }

    @Test
    void capabilitiesParseTheirFormat() {
        for (int n = 0; n <= CapabilityNames.LAST; n++) {
            assertEquals(n, CapabilityNames.parse(CapabilityNames.format(n)));
        }
        assertEquals(40, CapabilityNames.LAST);
        assertEquals(21, CapabilityNames.parse("CAP_SYS_ADMIN"));
        assertEquals(39, CapabilityNames.parse("CAP_BPF"));
        assertThrows(IllegalArgumentException.class, () -> CapabilityNames.parse("CAP_NOPE"));
        assertThrows(IllegalArgumentException.class, () -> CapabilityNames.format(41));
    }

    @Test
    void rlimitsParseTheirFormat() {
        for (int n = 0; n < RlimitNames.all().size(); n++) {
            assertEquals(n, RlimitNames.parse(RlimitNames.format(n)));
        }
        assertEquals(7, RlimitNames.parse("RLIMIT_NOFILE"));
        assertEquals(15, RlimitNames.parse("RLIMIT_RTTIME"));
    }

    @Test
    void namespaceTypesBySpecName() {
        for (NamespaceType t : NamespaceType.values()) {
            assertEquals(t, NamespaceType.fromSpecName(t.specName()));
        }
        assertEquals(NamespaceType.NETWORK, NamespaceType.fromSpecName("network"));
        assertThrows(IllegalArgumentException.class, () -> NamespaceType.fromSpecName("net"));
    }
}
