package dev.isthmus.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReaderTest {
    private static Config parse(String json) throws ConfigException {
        return ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static ConfigException error(String json) {
        return assertThrows(ConfigException.class, () -> parse(json));
    }

    @Test
    void readsTheRuncDefault() throws Exception {
        Config c = Fixtures.read("runc-1.1.5-spec.json");
        assertEquals("1.0.2-dev", c.ociVersion());
        assertEquals(List.of("sh"), c.process().args());
        assertTrue(c.process().terminal());
        assertTrue(c.process().noNewPrivileges());
        assertEquals(new User(0, 0, null, List.of(), null), c.process().user());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), c.process().rlimits());
        assertEquals(new Root("rootfs", true), c.root());
        assertEquals(7, c.mounts().size());
        assertEquals(List.of(), c.mounts().get(0).options());
        assertEquals(List.of(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS,
                NamespaceType.MOUNT), c.linux().namespaces().stream().map(LinuxNamespace::type).toList());
        assertEquals(new LinuxResources.DeviceCgroup(false, null, null, null, "rwm"),
                c.linux().resources().devices().get(0));
        assertNull(c.hooks());
        assertEquals(Map.of(), c.annotations());
        assertEquals(List.of(), c.linux().uidMappings());
    }

    @Test
    void aDeviceFileModeMayCarryTheFileTypeBitsOfItsTypeAsPodmanSendsThem() throws Exception {
        String dev = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"%s\", "
                + "\"major\": 10, \"minor\": 229, \"fileMode\": %d}]}}";
        // podman --device /dev/fuse: 8630 = S_IFCHR|0666
        assertEquals(8630, parse(dev.formatted("c", 8630)).linux().devices().getFirst().fileMode());
        assertEquals(0060640, parse(dev.formatted("b", 0060640)).linux().devices().getFirst().fileMode());
        assertEquals(0640, parse(dev.formatted("c", 0640)).linux().devices().getFirst().fileMode());
        // the type bits of another type, or bits that are no type at all, are refused naming the field
        for (long bad : new long[] {0060666, 0100666, 0770000}) {
            ConfigException e = error(dev.formatted("c", bad));
            assertTrue(e.getMessage().contains("linux.devices[0].fileMode") && e.getMessage().contains("file-type bits"), e.getMessage());
        }
    }

    @Test
    void readsThePodmanConfig() throws Exception {
        Config c = Fixtures.read("podman.json");
        Process p = c.process();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 6L, 10L, 11L, 20L, 26L, 27L), p.user().additionalGids());
        assertEquals(18, p.user().umask());
        assertEquals(11, p.capabilities().bounding().size());
        assertEquals(List.of(), p.capabilities().ambient());
        assertEquals(0, p.oomScoreAdj());
        assertEquals("containers-default-0.57.4", p.apparmorProfile());
        Mount html = c.mounts().get(10);
        assertEquals(List.of(new IdMapping(0, 100000, 65536)), html.uidMappings());
        assertEquals(10, c.hooks().createContainer().get(0).timeout());
        assertEquals(List.of(), c.hooks().prestart());
        assertEquals("libpod", c.annotations().get("io.container.manager"));
        assertEquals("io.container.manager", c.annotations().keySet().iterator().next(), "order is kept");
        Linux l = c.linux();
        assertEquals("/run/netns/netns-6b0c1d2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e", l.namespace(NamespaceType.NETWORK).path());
        assertEquals(2048L, l.resources().pids().limit());
        assertEquals(536870912L, l.resources().memory().limit());
        assertEquals(500, l.resources().blockIO().weight());
        LinuxSeccomp s = l.seccomp();
        assertEquals(38L, s.defaultErrnoRet());
        assertEquals(new LinuxSeccomp.Arg(0, 2114060288L, 0L, "SCMP_CMP_MASKED_EQ"), s.syscalls().get(3).args().get(0));
        assertEquals(4294967295L, s.syscalls().get(2).args().get(0).value());
        assertEquals("0 0", l.sysctl().get("net.ipv4.ping_group_range"));
    }

    @Test
    void readsFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.write(file, Fixtures.bytes("runc-1.1.5-spec.json"));
        assertEquals(Fixtures.read("runc-1.1.5-spec.json"), ConfigReader.read(file));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.read(dir.resolve("absent.json")));
        assertTrue(e.reason().startsWith("cannot read the file"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "podman.json"})
    void writeThenReadGivesTheSameConfig(String fixture) throws Exception {
        Config c = Fixtures.read(fixture);
        byte[] written = ConfigWriter.toBytes(c);
        assertEquals(c, ConfigReader.read(written, "rewritten"));
        assertTrue(ConfigReader.parse(written, "x").equals(c));
    }

    @Test
    void skipsUnknownFieldsAndOtherPlatforms() throws Exception {
        Config c = parse("""
                {"ociVersion": "1.2.0", "root": {"path": "r", "x-ext": {"a": [1, {"b": null}]}},
                 "windows": {"layerFolders": ["C:\\\\x"]}, "vm": {"hypervisor": {"path": "/x"}},
                 "org.example.extension": [[[]]],
                 "process": {"args": ["a"], "cwd": "/", "futureField": {"deep": {"deeper": true}}},
                 "linux": {"namespaces": [{"type": "pid", "experimental": 1}], "newThing": "v"}}
                """);
        assertEquals("r", c.root().path());
        assertEquals(List.of(new LinuxNamespace(NamespaceType.PID, null)), c.linux().namespaces());
    }

    @Test
    void nullMeansAbsent() throws Exception {
        Config c = parse("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "hostname": null, "mounts": null,
                 "process": {"args": ["a"], "cwd": "/", "env": null, "oomScoreAdj": null, "user": null}}
                """);
        assertNull(c.hostname());
        assertEquals(List.of(), c.mounts());
        assertEquals(List.of(), c.process().env());
        assertNull(c.process().oomScoreAdj());
    }

    @Test
    void rejectsDuplicateKeysWithThePath() {
        ConfigException e = error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"},
                 "process": {"args": ["a"], "cwd": "/", "cwd": "/s3cr3t-dup"}}
                """);
        assertEquals("duplicate field", e.reason());
        assertEquals("process.cwd", e.path());
        assertEquals(2, e.line());
        assertFalse(e.getMessage().contains("s3cr3t"));
    }

    @Test
    void rejectsDuplicateAnnotationKeys() {
        ConfigException e = error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"},
                 "annotations": {"a.b": "1", "a.b": "2"}}
                """);
        assertEquals("duplicate field", e.reason());
        assertEquals("annotations[\"a.b\"]", e.path());
    }

    @Test
    void messageHasSourcePathLineColumnAndReason() {
        ConfigException e = error("""
                {
                  "ociVersion": "1.2.0",
                  "root": {"path": "rootfs"},
                  "linux": {
                    "namespaces": [
                      {"type": "pid"},
                      {"type": "mount"},
                      {"type": "hush-s3cr3t"}
                    ]
                  }
                }
                """);
        assertEquals("linux.namespaces[2].type", e.path());
        assertEquals(8, e.line());
        assertEquals(16, e.column());
        assertEquals("config.json: linux.namespaces[2].type (line 8, column 16): unknown namespace type",
                e.getMessage());
    }

    @Test
    void validationErrorsGetALocationToo() {
        ConfigException e = error("""
                {
                  "ociVersion": "1.2.0",
                  "root": {"path": "rootfs"},
                  "process": {
                    "args": ["sh"],
                    "cwd": "relative/hidden"
                  }
                }
                """);
        assertEquals("process.cwd", e.path());
        assertEquals(6, e.line());
        assertEquals(12, e.column());
        assertEquals("must be an absolute path", e.reason());
    }

    @Test
    void missingFieldPointsAtTheObjectThatLacksIt() {
        ConfigException e = error("""
                {
                  "ociVersion": "1.2.0",
                  "root": {"path": "rootfs"},
                  "process": {
                    "args": ["sh"]
                  }
                }
                """);
        assertEquals("process.cwd", e.path());
        assertEquals("required field is missing", e.reason());
        assertEquals(4, e.line());
    }

    @Test
    void uint64AboveLongMaxIsKeptAsUnsignedBits() throws Exception {
        Config c = parse("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"args": ["a"], "cwd": "/",
                 "rlimits": [{"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 18446744073709551615}]}}
                """);
        assertEquals(-1L, c.process().rlimits().get(0).hard());
        String written = new String(ConfigWriter.toBytes(c), StandardCharsets.UTF_8);
        assertTrue(written.contains("18446744073709551615"), written);
        assertEquals(c, ConfigReader.read(written.getBytes(StandardCharsets.UTF_8), "w"));
    }

    @Test
    void rejectsNumbersOutOfRange() {
        assertEquals("integer out of range for uint64", error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"args": ["a"], "cwd": "/",
                 "rlimits": [{"type": "RLIMIT_CORE", "hard": 18446744073709551616, "soft": 1}]}}
                """).reason());
        assertEquals("integer out of range for uint32", error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"args": ["a"], "cwd": "/",
                 "user": {"uid": -1, "gid": 0}}}
                """).reason());
        assertEquals("expected an integer, not a fraction", error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"args": ["a"], "cwd": "/",
                 "user": {"uid": 1.5, "gid": 0}}}
                """).reason());
    }

    @Test
    void enforcesTheReaderLimits() {
        String deep = "{\"ociVersion\": \"1.2.0\", \"x\": " + "[".repeat(100) + "]".repeat(100) + "}";
        ConfigException e = error(deep);
        assertTrue(e.reason().startsWith("nested deeper than"), e.reason());
        String longString = "{\"ociVersion\": \"" + "a".repeat(ConfigReader.MAX_STRING_LENGTH + 1) + "\"}";
        assertTrue(error(longString).reason().startsWith("string longer than"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "\"x\"", "{\"ociVersion\": \"1.2.0\"} {}", "{\"ociVersion\": tops3cr3t}",
            "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}", "{\"root\": {\"path\": \"r\",}}"})
    void rejectsDocumentsThatAreNotOneObject(String json) {
        ConfigException e = error(json);
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(DOCUMENT_REASONS.contains(e.reason()), e.reason());
    }

    private static final java.util.Set<String> DOCUMENT_REASONS = java.util.Set.of("empty document",
            "expected a JSON object", "unexpected content after the configuration object", "malformed JSON");

    @Test
    void typeMismatchesNameTheExpectedType() {
        ConfigException e = error("""
                {"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"terminal": "yes-s3cr3t", "args": ["a"], "cwd": "/"}}
                """);
        assertEquals("process.terminal", e.path());
        assertEquals("expected true or false", e.reason());
        assertEquals("expected an object", error("{\"ociVersion\": \"1.2.0\", \"linux\": 5}").reason());
        assertEquals("expected a string", error("{\"ociVersion\": \"1.2.0\", \"process\": {\"env\": [1]}}").reason());
        assertEquals("process.env[1]",
                error("{\"ociVersion\": \"1.2.0\", \"process\": {\"env\": [\"A=1\", {}]}}").path());
    }
}
