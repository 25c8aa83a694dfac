package dev.isthmus.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.container.ContainerId;
import dev.isthmus.spec.CapabilityNames;
import dev.isthmus.spec.Signals;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Container IDs, signal names and capability names: the small parsers of the command line and config. */
class NameTableProperties {

    // --- container IDs: letters, digits, '_', '+', '-', '.'; not empty, not . or .., at most 1024 characters

    /** An independent statement of the rule (character by character, ASCII only), to compare with. */
    private static boolean validId(String id) {
        if (id.isEmpty() || id.length() > 1024 || id.equals(".") || id.equals("..")) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_+-.".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Provide
    Arbitrary<String> idLike() {
        Arbitrary<String> allowed = Arbitraries.strings().withChars("abcXYZ019_+-.").ofMinLength(0).ofMaxLength(12);
        Arbitrary<String> hostile = Arbitraries.strings().withChars("ab/.\\\0 \n\u00e9\u0130:;$*").ofMaxLength(8);
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(10);
        Arbitrary<String> edges = Arbitraries.of(".", "..", "...", "", "a".repeat(1024), "a".repeat(1025), "../x", "x/..", "-");
        return Arbitraries.oneOf(allowed, hostile, anything, edges);
    }

    @Property
    void containerIdAcceptedExactlyWhenTheRuleSaysSo(@ForAll("idLike") String id) {
        boolean accepted;
        try {
            ContainerId.check(id);
            accepted = true;
        } catch (IllegalArgumentException e) {
            accepted = false;
            // fixed text, never the ID (a substring check once failed on " ..", which the fixed text holds)
            assertTrue(java.util.Set.of("container ID: must not be empty",
                    "container ID: may only contain letters, digits, '_', '+', '-' and '.' (and not be . or ..)").contains(e.getMessage()),
                    "the message must not echo the ID: " + e.getMessage());
        }
        assertEquals(validId(id), accepted, "ID \"" + id + "\"");
    }

    @Property
    void anAcceptedIdIsNeverAPath(@ForAll("idLike") String id) {
        try {
            ContainerId.check(id);
        } catch (IllegalArgumentException e) {
            return;
        }
        java.nio.file.Path root = java.nio.file.Path.of("/run/isthmus");
        assertEquals(root, root.resolve(id).normalize().getParent(), "ROOT/" + id + " must be a direct child of ROOT");
    }

    // --- signals

    @Property
    void signalParseOfFormatIsTheNumber(@ForAll @IntRange(min = 1, max = Signals.MAX) int n) {
        assertEquals(n, Signals.parse(Signals.format(n)));
        assertEquals(n, Signals.parse(Integer.toString(n)));
    }

    @Property
    void signalNamesParseWithoutPrefixAndInAnyCase(@ForAll @IntRange(min = 1, max = Signals.MAX) int n, @ForAll boolean lower,
            @ForAll boolean dropSig) {
        String name = Signals.format(n);
        if (!name.startsWith("SIG")) {
            return; // 32 and 33 have no name
        }
        String typed = dropSig ? name.substring(3) : name;
        typed = lower ? typed.toLowerCase(Locale.ROOT) : typed;
        assertEquals(n, Signals.parse(typed), typed);
        assertEquals(name, Signals.format(Signals.parse(typed)), "format(parse(name)) is the canonical name");
    }

    @Property
    void signalNamesAreUniqueAndFormatIsInjective(@ForAll @IntRange(min = 1, max = Signals.MAX) int a,
            @ForAll @IntRange(min = 1, max = Signals.MAX) int b) {
        assertEquals(a == b, Signals.format(a).equals(Signals.format(b)));
    }

    @Provide
    Arbitrary<String> notSignals() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-5, 0).map(Object::toString),
                Arbitraries.integers().between(Signals.MAX + 1, 100_000).map(Object::toString),
                Arbitraries.of("", "SIG", "NOPE", "SIGRTMIN+31", "RTMAX-31", "RTMIN+", "RTMIN+-1", "99999999999", "1x", "TERM "),
                Arbitraries.strings().withChars("QJXZ").ofMinLength(1).ofMaxLength(6));
    }

    @Property
    void notASignalIsRejectedWithoutEchoingIt(@ForAll("notSignals") String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.parse(s), s);
        assertFalse(!s.isBlank() && e.getMessage().contains(s), "message echoes the input: " + e.getMessage());
    }

    // --- capabilities

    @Property
    void capabilityParseOfFormatIsTheNumber(@ForAll("capabilityNumbers") int n) {
        assertEquals(n, CapabilityNames.parse(CapabilityNames.format(n)));
        String name = CapabilityNames.format(n);
        assertEquals(name, CapabilityNames.format(CapabilityNames.parse(name)));
        assertTrue(name.startsWith("CAP_") && name.equals(name.toUpperCase(Locale.ROOT)), name);
    }

    @Provide
    Arbitrary<Integer> capabilityNumbers() {
        return Arbitraries.integers().between(0, CapabilityNames.LAST);
    }

    @Property
    void unknownCapabilityNamesAndNumbersAreRejected(@ForAll("notCapabilities") String name,
            @ForAll @IntRange(min = -1000, max = 1000) int n) {
        assertThrows(IllegalArgumentException.class, () -> CapabilityNames.parse(name), name);
        if (n < 0 || n > CapabilityNames.LAST) {
            assertThrows(IllegalArgumentException.class, () -> CapabilityNames.format(n));
        }
    }

    @Provide
    Arbitrary<String> notCapabilities() {
        return Arbitraries.oneOf(
                Arbitraries.of(CapabilityNames.all()).map(s -> s.toLowerCase(Locale.ROOT)),
                Arbitraries.of(CapabilityNames.all()).map(s -> s.substring(4)),
                Arbitraries.of(CapabilityNames.all()).map(s -> s + " "),
                Arbitraries.of("", "CAP_", "CAP_ALL", "ALL", "CAP_SYS_ADMINN"));
    }
}
