package dev.isthmus.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.ConfigValidator;
import dev.isthmus.spec.ConfigWriter;
import dev.isthmus.spec.JsonPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the config reader and writer. Tries come from {@code jqwik.tries.default} in
 * junit-platform.properties (override with {@code -Djqwik.tries.default=N}).
 */
class ConfigProperties {

    @Provide
    Arbitrary<Config> validConfigs() {
        return ConfigArbitraries.configs();
    }

    @Property
    void generatedConfigsAreValid(@ForAll("validConfigs") Config config) throws ConfigException {
        ConfigValidator.validate(config);
    }

    @Property
    void writeThenReadGivesTheSameConfig(@ForAll("validConfigs") Config config) throws ConfigException {
        byte[] json = ConfigWriter.toBytes(config);
        assertEquals(config, ConfigReader.read(json, "generated"));
    }

    @Provide
    Arbitrary<ConfigArbitraries.Poisoned> poisonedConfigs() {
        return ConfigArbitraries.poisoned();
    }

    /**
     * Issue #20: an id of (uid_t)-1, a NUL in a string that reaches a system call, an env entry
     * without '=', put into an otherwise valid config, is refused naming exactly that field, in
     * code and after a write and read, and the value is not echoed.
     */
    @Property
    void oneBadValueIsRefusedNamingItsField(@ForAll("poisonedConfigs") ConfigArbitraries.Poisoned p) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigValidator.validate(p.config()), p::toString);
        assertEquals(p.path(), e.path(), e.getMessage());
        assertFalse(e.getMessage().contains(ConfigArbitraries.MARKER), e.getMessage());
        ConfigException read = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigReader.read(ConfigWriter.toBytes(p.config()), "config.json"), p::toString);
        assertEquals(p.path(), read.path(), read.getMessage());
        assertTrue(read.line() > 0, read.getMessage());
        Statistics.collect(p.what());
    }

    /** JSON-ish text: structural characters, keys of the spec, numbers at the edges of the ranges. */
    @Provide
    Arbitrary<String> arbitraryJson() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0",
                "-1", "1.5", "1e400", "18446744073709551616", "4294967296", "\"ociVersion\"", "\"1.2.0\"", "\"root\"",
                "\"path\"", "\"process\"", "\"args\"", "\"linux\"", "\"namespaces\"", "\"type\"", "\"pid\"",
                "\"uidMappings\"", "\"rlimits\"", "\"hooks\"", "\\u0000", "\"\\ud800\"", " ", "\n", "x", "\u00e9");
        Arbitrary<String> soup = tokens.list().ofMaxSize(40).map(l -> String.join("", l));
        return Arbitraries.oneOf(soup, Arbitraries.strings().ofMaxLength(60), soup.map(s -> "{" + s + "}"));
    }

    @Property
    void arbitraryTextOnlyEverThrowsConfigException(@ForAll("arbitraryJson") String text) {
        readExpectingOnlyConfigException(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void arbitraryBytesOnlyEverThrowConfigException(@ForAll byte[] bytes) {
        readExpectingOnlyConfigException(bytes);
    }

    /** Byte-level damage to a valid document: truncate, flip, insert, delete. */
    @Provide
    Arbitrary<byte[]> damagedConfigs() {
        return Combinators.combine(ConfigArbitraries.configs(), Arbitraries.integers().between(0, 3),
                Arbitraries.doubles().between(0, 1), Arbitraries.bytes(), Arbitraries.integers().between(1, 8))
                .as((config, kind, where, b, len) -> {
                    byte[] json = ConfigWriter.toBytes(config);
                    int at = (int) (where * (json.length - 1));
                    byte[] out;
                    switch (kind) {
                        case 0 -> out = java.util.Arrays.copyOf(json, at);
                        case 1 -> {
                            out = json.clone();
                            out[at] = b;
                        }
                        case 2 -> {
                            out = new byte[json.length + len];
                            System.arraycopy(json, 0, out, 0, at);
                            java.util.Arrays.fill(out, at, at + len, b);
                            System.arraycopy(json, at, out, at + len, json.length - at);
                        }
                        default -> {
                            int end = Math.min(json.length, at + len);
                            out = new byte[json.length - (end - at)];
                            System.arraycopy(json, 0, out, 0, at);
                            System.arraycopy(json, end, out, at, json.length - end);
                        }
                    }
                    return out;
                });
    }

    @Property
    void damagedConfigsOnlyEverThrowConfigException(@ForAll("damagedConfigs") byte[] json) {
        readExpectingOnlyConfigException(json);
    }

    /**
     * Structural damage to a valid document that keeps it well-formed JSON: a field removed, a value replaced by one
     * of another type or range, a field or element copied. The result is any mix of valid and invalid.
     */
    @Provide
    Arbitrary<Mutated> mutatedConfigs() {
        Arbitrary<Object> replacement = Arbitraries.oneOf(
                Arbitraries.just(null), Arbitraries.of(true, false), Arbitraries.longs().map(Object.class::cast),
                Arbitraries.of(-1L, 0L, 4294967295L, 4294967296L, new java.math.BigInteger("18446744073709551616"))
                        .map(Object.class::cast),
                // issue #20's strings: a NUL that a system call would cut at, an env entry without '='
                Arbitraries.of("", "relative/x", "/abs", "pid", "s3cr3t-VALUE", "CAP_NOPE", "1.2.0", "9.9.9",
                                "/bin/true\u0000/../s3cr3t-VALUE", "NO_EQUALS_s3cr3t-VALUE")
                        .map(Object.class::cast),
                Arbitraries.just(List.of()).map(Object.class::cast),
                Arbitraries.just(Map.of()).map(Object.class::cast));
        return Combinators.combine(ConfigArbitraries.configs(), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE), replacement)
                .as((config, kind, pick, pick2, value) -> mutate(config, kind, pick, pick2, value));
    }

    record Mutated(byte[] json, Object tree) {
        @Override
        public String toString() {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    static Mutated mutate(Config config, int kind, int pick, int pick2, Object value) {
        Object tree = JsonTree.read(ConfigWriter.toBytes(config));
        JsonTree.damage(tree, kind, pick, pick2, value);
        return new Mutated(JsonTree.write(tree), tree);
    }

    @Property
    void mutatedConfigsOnlyEverThrowConfigException(@ForAll("mutatedConfigs") Mutated m) {
        readExpectingOnlyConfigException(m.json());
    }

    @Property
    void everyErrorNamesAPathInTheInputOrAMissingField(@ForAll("mutatedConfigs") Mutated m) {
        try {
            ConfigReader.read(m.json(), "config.json");
            Statistics.collect("accepted");
        } catch (ConfigException e) {
            Statistics.collect("rejected");
            assertTrue(e.getMessage().startsWith("config.json: " + e.path()), e.getMessage());
            assertTrue(e.line() > 0, e.getMessage());
            assertFalse(e.getMessage().contains("s3cr3t-VALUE"), e.getMessage());
            List<JsonPaths.Segment> segments = JsonPaths.parse(e.path());
            Object at = JsonTree.at(m.tree(), segments);
            if (at == JsonTree.MISSING) {
                // then it names a missing field: the parent exists and the last segment is a name
                assertFalse(segments.isEmpty(), e.getMessage());
                assertTrue(segments.getLast() instanceof JsonPaths.Name, e.getMessage());
                assertTrue(e.reason().contains("missing") || e.reason().contains("required"), e.getMessage());
                Object parent = JsonTree.at(m.tree(), segments.subList(0, segments.size() - 1));
                assertNotSame(JsonTree.MISSING, parent, e.getMessage());
            }
        }
        // not vacuous: a good share of the mutations must be rejected
        Statistics.coverage(c -> c.check("rejected").percentage(p -> p > 20));
    }

    private static void readExpectingOnlyConfigException(byte[] json) {
        try {
            ConfigReader.read(json, "config.json");
        } catch (ConfigException expected) {
            assertTrue(expected.getMessage().startsWith("config.json"), expected.getMessage());
        }
        // anything else (RuntimeException, Error) propagates and fails the property
    }
}
