package dev.isthmus.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One case per rule: a valid base config, one textual edit, the path and reason expected, no value echoed. */
class ConfigValidatorTest {
    /** Looks like a live credential: must never appear in any message. */
    private static final String ENV_SECRET = "sk-live-9f8e7d6c5b4a3210QWERTY";

    private static final String BASE = """
            {
              "ociVersion": "1.2.0",
              "process": {
                "user": {"uid": 0, "gid": 0},
                "args": ["sh"],
                "env": ["PATH=/bin", "API_TOKEN=%s"],
                "cwd": "/",
                "capabilities": {"bounding": ["CAP_KILL"]},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
              },
              "root": {"path": "rootfs"},
              "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
              "hooks": {"prestart": [{"path": "/usr/bin/hook", "timeout": 5}]},
              "linux": {
                "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "user"}],
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                "maskedPaths": ["/proc/kcore"]
              }
            }
            """.formatted(ENV_SECRET);

    private static byte[] edit(String from, String to) {
        assertTrue(BASE.contains(from), "the base config contains " + from);
        return BASE.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theBaseIsValid() throws Exception {
        Config c = ConfigReader.read(BASE.getBytes(StandardCharsets.UTF_8), "base");
        assertEquals(ENV_SECRET, c.process().env().get(1).substring("API_TOKEN=".length()));
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                // from, to, path, reason (prefix), offending value that must not be echoed
                Arguments.of("\"ociVersion\": \"1.2.0\",", "", "ociVersion", "required field is missing", null),
                Arguments.of("\"1.2.0\"", "\"2.0.0-xs3cr3t\"", "ociVersion", "unsupported version", "xs3cr3t"),
                Arguments.of("\"1.2.0\"", "\"1.4.0\"", "ociVersion", "unsupported version", null),
                Arguments.of("\"1.2.0\"", "\"v1-s3cr3t\"", "ociVersion", "must be a SemVer", "s3cr3t"),
                Arguments.of("\"root\": {\"path\": \"rootfs\"},", "", "root", "required field is missing", null),
                Arguments.of("\"root\": {\"path\": \"rootfs\"}", "\"root\": {\"readonly\": true}", "root.path",
                        "required field is missing", null),
                Arguments.of("\"cwd\": \"/\",", "", "process.cwd", "required field is missing", null),
                Arguments.of("\"cwd\": \"/\"", "\"cwd\": \"srv/s3cr3t\"", "process.cwd", "must be an absolute path",
                        "s3cr3t"),
                Arguments.of("\"args\": [\"sh\"]", "\"args\": []", "process.args", "at least one argument", null),
                Arguments.of("[\"CAP_KILL\"]", "[\"CAP_KILL\", \"CAP_S3CR3T\"]", "process.capabilities.bounding[1]",
                        "unknown capability", "S3CR3T"),
                Arguments.of("\"RLIMIT_NOFILE\"", "\"RLIMIT_S3CR3T\"", "process.rlimits[0].type",
                        "unknown rlimit type", "S3CR3T"),
                Arguments.of("{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}",
                        "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}, "
                                + "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1}",
                        "process.rlimits[1].type", "duplicate rlimit type", null),
                Arguments.of("\"hard\": 1024, \"soft\": 1024", "\"hard\": 1024, \"soft\": 987654", "process.rlimits[0].soft",
                        "soft limit is above the hard limit", "987654"),
                Arguments.of("\"hard\": 1024, ", "", "process.rlimits[0].hard", "required field is missing", null),
                Arguments.of("\"uid\": 0, ", "", "process.user.uid", "required field is missing", null),
                Arguments.of("\"/usr/bin/hook\"", "\"hooks/s3cr3t\"", "hooks.prestart[0].path",
                        "must be an absolute path", "s3cr3t"),
                Arguments.of("\"timeout\": 5", "\"timeout\": 0", "hooks.prestart[0].timeout",
                        "must be greater than zero", null),
                Arguments.of("\"timeout\": 5", "\"timeout\": -77123", "hooks.prestart[0].timeout",
                        "must be greater than zero", "77123"),
                Arguments.of("{\"type\": \"mount\"}", "{\"type\": \"s3cr3t\"}", "linux.namespaces[1].type",
                        "unknown namespace type", "s3cr3t"),
                Arguments.of("{\"type\": \"user\"}", "{\"type\": \"pid\"}", "linux.namespaces[2].type",
                        "duplicate namespace type", null),
                Arguments.of("{\"type\": \"mount\"}", "{\"type\": \"mount\", \"path\": \"proc/s3cr3t/ns/mnt\"}",
                        "linux.namespaces[1].path", "must be an absolute path", "s3cr3t"),
                Arguments.of("{\"type\": \"mount\"}", "{\"path\": \"/proc/1/ns/mnt\"}", "linux.namespaces[1].type",
                        "required field is missing", null),
                Arguments.of("\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
                        "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
                                + " {\"containerID\": 9, \"hostID\": 5000, \"size\": 10}]",
                        "linux.uidMappings[1].containerID", "overlaps the container range of entry 0", null),
                Arguments.of("\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
                        "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
                                + " {\"containerID\": 100, \"hostID\": 1005, \"size\": 10}]",
                        "linux.gidMappings[1].hostID", "overlaps the host range of entry 0", null),
                Arguments.of("\"hostID\": 1000, \"size\": 1}],\n    \"gidMappings\"",
                        "\"hostID\": 1000, \"size\": 0}],\n    \"gidMappings\"",
                        "linux.uidMappings[0].size", "must be greater than zero", null),
                Arguments.of("\"hostID\": 1000, \"size\": 1}],\n    \"gidMappings\"",
                        "\"hostID\": 4294967290, \"size\": 6}],\n    \"gidMappings\"",
                        "linux.uidMappings[0].size", "range goes past the largest host id", null),
                // issue #20: ids the kernel treats specially; (uid_t)-1 makes setresuid leave uid 0 in place
                Arguments.of("\"hostID\": 1000, \"size\": 1}],\n    \"gidMappings\"",
                        "\"hostID\": 4294967294, \"size\": 2}],\n    \"gidMappings\"",
                        "linux.uidMappings[0].size", "range goes past the largest host id", null),
                Arguments.of("\"uidMappings\": [{\"containerID\": 0,", "\"uidMappings\": [{\"containerID\": 4294967295,",
                        "linux.uidMappings[0].containerID", "4294967295 is (uid_t)-1", null),
                Arguments.of("\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000,",
                        "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 4294967295,",
                        "linux.gidMappings[0].hostID", "4294967295 is (uid_t)-1", null),
                Arguments.of("\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000,",
                        "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 4294967296,",
                        "linux.gidMappings[0].hostID", "integer out of range for uint32", null),
                Arguments.of("\"uid\": 0,", "\"uid\": 4294967295,", "process.user.uid", "4294967295 is (uid_t)-1", null),
                Arguments.of("\"uid\": 0,", "\"uid\": 4294967296,", "process.user.uid", "integer out of range", null),
                Arguments.of("\"uid\": 0,", "\"uid\": -1,", "process.user.uid", "integer out of range", null),
                Arguments.of("\"gid\": 0}", "\"gid\": 4294967295}", "process.user.gid", "4294967295 is (uid_t)-1", null),
                Arguments.of("\"gid\": 0}", "\"gid\": 0, \"additionalGids\": [5, 4294967295]}",
                        "process.user.additionalGids[1]", "4294967295 is (uid_t)-1", null),
                Arguments.of("\"maskedPaths\"", "\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10,"
                        + " \"minor\": 229, \"uid\": 4294967295}], \"maskedPaths\"", "linux.devices[0].uid",
                        "4294967295 is (uid_t)-1", null),
                // issue #20: a NUL would cut the string where the system call reads it
                Arguments.of("\"args\": [\"sh\"]", "\"args\": [\"/bin/true\\u0000/../s3cr3t\"]", "process.args[0]",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"cwd\": \"/\"", "\"cwd\": \"/tmp\\u0000s3cr3t\"", "process.cwd", "must not contain a NUL byte",
                        "s3cr3t"),
                Arguments.of("\"API_TOKEN=", "\"API_TOKEN=\\u0000", "process.env[1]", "must not contain a NUL byte", null),
                Arguments.of("\"mounts\": [", "\"hostname\": \"h\\u0000s3cr3t\", \"mounts\": [", "hostname",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"mounts\": [", "\"domainname\": \"d\\u0000s3cr3t\", \"mounts\": [", "domainname",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"path\": \"rootfs\"", "\"path\": \"rootfs\\u0000s3cr3t\"", "root.path",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"destination\": \"/proc\"", "\"destination\": \"/proc\\u0000s3cr3t\"", "mounts[0].destination",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"source\": \"proc\"}", "\"source\": \"proc\\u0000s3cr3t\"}", "mounts[0].source",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"source\": \"proc\"}", "\"source\": \"proc\", \"options\": [\"nosuid\", \"ro\\u0000s3cr3t\"]}",
                        "mounts[0].options[1]", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"/usr/bin/hook\"", "\"/usr/bin/hook\\u0000s3cr3t\"", "hooks.prestart[0].path",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"timeout\": 5", "\"timeout\": 5, \"args\": [\"hook\", \"a\\u0000s3cr3t\"]",
                        "hooks.prestart[0].args[1]", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"timeout\": 5", "\"timeout\": 5, \"env\": [\"A=\\u0000s3cr3t\"]",
                        "hooks.prestart[0].env[0]", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"devices\": [{\"path\": \"/dev/fuse\\u0000s3cr3t\", \"type\": \"c\","
                        + " \"major\": 10, \"minor\": 229}], \"maskedPaths\"", "linux.devices[0].path",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("{\"type\": \"mount\"}", "{\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\\u0000s3cr3t\"}",
                        "linux.namespaces[1].path", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\\u0000s3cr3t\"}, \"maskedPaths\"",
                        "linux.sysctl[\"net.ipv4.ip_forward\"]", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"cgroupsPath\": \"/a\\u0000s3cr3t\", \"maskedPaths\"",
                        "linux.cgroupsPath", "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"/proc/kcore\"", "\"/proc/kcore\\u0000s3cr3t\"", "linux.maskedPaths[0]",
                        "must not contain a NUL byte", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                        + "[{\"names\": [\"kill\", \"read\\u0000s3cr3t\"], \"action\": \"SCMP_ACT_ERRNO\"}]}, \"maskedPaths\"",
                        "linux.seccomp.syscalls[0].names[1]", "must not contain a NUL byte", "s3cr3t"),
                // issue #20: runc refuses an env entry without '='
                Arguments.of("\"API_TOKEN=", "\"API_TOKEN", "process.env[1]", "must be NAME=value", "sk-live"),
                Arguments.of("\"PATH=/bin\"", "\"=/bin\"", "process.env[0]", "must be NAME=value (the name is empty)", null),
                Arguments.of("\"timeout\": 5", "\"timeout\": 5, \"env\": [\"A=1\", \"s3cr3t\"]",
                        "hooks.prestart[0].env[1]", "must be NAME=value", "s3cr3t"),
                Arguments.of(", {\"type\": \"user\"}", "", "linux.uidMappings", "id mappings need a user namespace",
                        null),
                Arguments.of("\"/proc/kcore\"", "\"proc/s3cr3t\"", "linux.maskedPaths[0]", "must be an absolute path",
                        "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"readonlyPaths\": [\"/ok\", \"\"], \"maskedPaths\"",
                        "linux.readonlyPaths[1]", "must be an absolute path", null),
                Arguments.of("\"maskedPaths\"", "\"rootfsPropagation\": \"s3cr3t\", \"maskedPaths\"",
                        "linux.rootfsPropagation", "must be shared", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"q\", \"major\": 10,"
                        + " \"minor\": 229}], \"maskedPaths\"", "linux.devices[0].type", "must be c, b, u or p", null),
                Arguments.of("\"maskedPaths\"", "\"devices\": [{\"path\": \"dev/s3cr3t\", \"type\": \"c\", \"major\": 10,"
                        + " \"minor\": 229}], \"maskedPaths\"", "linux.devices[0].path", "must be an absolute path",
                        "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10"
                        + "}], \"maskedPaths\"", "linux.devices[0].minor", "required field is missing", null),
                Arguments.of("\"maskedPaths\"", "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_S3CR3T\"}, \"maskedPaths\"",
                        "linux.seccomp.defaultAction", "unknown seccomp action", "S3CR3T"),
                Arguments.of("\"maskedPaths\"", "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                        + "[{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
                        + "\"value\": 1, \"op\": \"SCMP_CMP_S3CR3T\"}]}]}, \"maskedPaths\"",
                        "linux.seccomp.syscalls[0].args[0].op", "unknown seccomp operator", "S3CR3T"),
                Arguments.of("\"maskedPaths\"", "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                        + "[{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}, \"maskedPaths\"",
                        "linux.seccomp.syscalls[0].names", "at least one syscall name", null),
                Arguments.of("\"maskedPaths\"", "\"personality\": {\"domain\": \"s3cr3t\"}, \"maskedPaths\"",
                        "linux.personality.domain", "must be LINUX or LINUX32", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"timeOffsets\": {\"monotonic\": {\"secs\": 5}}, \"maskedPaths\"",
                        "linux.timeOffsets", "needs a time namespace", null),
                Arguments.of("\"maskedPaths\"", "\"timeOffsets\": {\"s3cr3tclock\": {\"secs\": 5}}, \"maskedPaths\"",
                        "linux.timeOffsets.s3cr3tclock", "unknown clock", null),
                Arguments.of("\"maskedPaths\"", "\"intelRdt\": {\"memBwSchema\": \"L3:s3cr3t\"}, \"maskedPaths\"",
                        "linux.intelRdt.memBwSchema", "must start with MB:", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"memoryPolicy\": {\"mode\": \"MPOL_S3CR3T\"}, \"maskedPaths\"",
                        "linux.memoryPolicy.mode", "unknown memory policy mode", "S3CR3T"),
                Arguments.of("\"maskedPaths\"", "\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]},"
                        + " \"maskedPaths\"", "linux.resources.devices[0].access", "must be made of r, w and m", "rwx"),
                Arguments.of("\"maskedPaths\"", "\"resources\": {\"devices\": [{\"access\": \"rwm\"}]},"
                        + " \"maskedPaths\"", "linux.resources.devices[0].allow", "required field is missing", null),
                Arguments.of("\"maskedPaths\"", "\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"s3cr3t\","
                        + " \"limit\": 1}]}, \"maskedPaths\"", "linux.resources.hugepageLimits[0].pageSize",
                        "must be a size", "s3cr3t"),
                Arguments.of("\"maskedPaths\"", "\"sysctl\": {\"\": \"1\"}, \"maskedPaths\"", "linux.sysctl[\"\"]",
                        "keys must not be empty", null),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"oomScoreAdj\": 4242,", "process.oomScoreAdj",
                        "must be between -1000 and 1000", "4242"),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_S3CR3T\","
                        + " \"priority\": 1},", "process.ioPriority.class", "unknown I/O priority class", "S3CR3T"),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\","
                        + " \"priority\": 8},", "process.ioPriority.priority", "must be between 0 and 7", null),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"scheduler\": {\"policy\": \"SCHED_S3CR3T\"},",
                        "process.scheduler.policy", "unknown scheduling policy", "S3CR3T"),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"scheduler\": {\"policy\": \"SCHED_FIFO\","
                        + " \"flags\": [\"SCHED_FLAG_S3CR3T\"]},", "process.scheduler.flags[0]",
                        "unknown scheduler flag", "S3CR3T"),
                Arguments.of("\"cwd\": \"/\",", "\"cwd\": \"/\", \"execCPUAffinity\": {\"initial\": \"3-1s3cr3t\"},",
                        "process.execCPUAffinity.initial", "must be a CPU list", "s3cr3t"),
                Arguments.of("\"gid\": 0}", "\"gid\": 0, \"umask\": 4096}",
                        "process.user.umask", "umask must be between", "4096"),
                Arguments.of("\"destination\": \"/proc\", ", "", "mounts[0].destination", "required field is missing",
                        null),
                Arguments.of("\"mounts\": [", "\"annotations\": {\"\": \"s3cr3t\"}, \"mounts\": [", "annotations[\"\"]",
                        "keys must not be empty", "s3cr3t"),
                Arguments.of("\"source\": \"proc\"}", "\"source\": \"proc\", \"uidMappings\": [{\"containerID\": 0,"
                        + " \"hostID\": 0, \"size\": 5}, {\"containerID\": 4, \"hostID\": 10, \"size\": 5}]}",
                        "mounts[0].uidMappings[1].containerID", "overlaps the container range of entry 0", null));
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("rules")
    void eachRuleGivesPathAndReasonButNoValue(String from, String to, String path, String reason, String value) {
        byte[] json = edit(from, to);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.read(json, "config.json"));
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.reason().startsWith(reason), e.getMessage());
        assertTrue(e.line() > 0 && e.column() > 0, e.getMessage());
        assertTrue(e.getMessage().startsWith("config.json: " + path + " (line "), e.getMessage());
        assertFalse(e.getMessage().contains(ENV_SECRET), e.getMessage());
        if (value != null) {
            assertFalse(e.getMessage().contains(value), e.getMessage());
        }
    }

    @Test
    void validatesConfigsBuiltInCode() {
        Config ok = DefaultConfigs.runcDefault(false, false, 0, 0);
        Config noRoot = new Config(ok.ociVersion(), ok.process(), null, null, null, List.of(), null, Map.of(),
                ok.linux());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validate(noRoot));
        assertEquals("root", e.path());
        assertEquals(0, e.line());
        assertEquals("config: root: required field is missing", e.getMessage());
    }

    @Test
    void refusesIdsOutsideUint32InConfigsBuiltInCode() {
        // The reader refuses them as "integer out of range for uint32"; a config built in code
        // (exec's options, callers of the library) meets the validator's own check.
        Config ok = DefaultConfigs.runcDefault(false, false, 0, 0);
        for (long bad : List.of(-1L, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MIN_VALUE)) {
            Process p = ok.process();
            Process q = new Process(p.terminal(), p.consoleSize(), new User(0, 0, null, List.of(1L, bad), null), p.args(),
                    p.commandLine(), p.env(), p.cwd(), p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(),
                    p.oomScoreAdj(), p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCPUAffinity());
            Config c = new Config(ok.ociVersion(), q, ok.root(), ok.hostname(), ok.domainname(), ok.mounts(), ok.hooks(),
                    ok.annotations(), ok.linux());
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validate(c));
            assertEquals("process.user.additionalGids[1]", e.path(), e.getMessage());
            assertFalse(e.getMessage().contains(Long.toString(bad)) && bad != 0xFFFF_FFFFL, e.getMessage());
        }
        assertEquals(null, ConfigValidator.idProblem(0xFFFF_FFFEL));
        assertEquals(null, ConfigValidator.idProblem(0));
    }

    @Test
    void acceptsEveryReleasedVersionUpToTheSupportedOne() throws Exception {
        for (String v : List.of("1.0.0", "1.0.2-dev", "1.1.0-rc.3", "1.2.1", "1.3.0", "1.3.0+dev")) {
            ConfigValidator.ociVersion(v);
        }
    }
}
