package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * process.capabilities, oomScoreAdj, linux.sysctl, linux.personality and non-dumpable, each read
 * back from inside the container (/proc/self/status and friends), and the CVE-2022-29162 class:
 * no inheritable capability beyond the config (root, static busybox).
 */
class ProcessSecurityIntegrationTest {
    private static final String STATUS_LINES = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status";
    /** CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): runc's default set. */
    private static final String THREE = "[\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]";
    private static final long THREE_MASK = (1L << 5) | (1L << 10) | (1L << 29);

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    /** A bundle whose process gets {@code processExtra} (JSON members, each with a leading comma) and the user {@code uid}. */
    private Path bundle(List<String> args, long uid, String processExtra, String linuxExtra) throws Exception {
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Bundles.busyboxRootfs(b);
        }
        String json = Bundles.config(args, "sec", true, Bundles.DEFAULT_NAMESPACES, "", linuxExtra)
                .replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": {\"uid\": " + uid + ", \"gid\": " + uid + "}")
                .replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": true" + processExtra);
        return Bundles.write(b, json);
    }

    private Cli.Result cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        return Cli.runToFiles(tmp.resolve("cli.out"), tmp.resolve("cli.err"), all.toArray(String[]::new));
    }

    /** CapInh, CapPrm, ... of /proc/self/status lines, as numbers. */
    private static Map<String, Long> caps(String out) {
        return out.lines().filter(l -> l.startsWith("Cap")).collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')),
                l -> Long.parseUnsignedLong(l.substring(l.indexOf(':') + 1).strip(), 16)));
    }

    @Test
    void rootGetsExactlyTheConfiguredSetsAndNoInheritableBeyondThem() throws Exception {
        String c = ", \"capabilities\": {\"bounding\": %1$s, \"effective\": %1$s, \"permitted\": %1$s}".formatted(THREE);
        Path b = bundle(List.of("sh", "-c", STATUS_LINES), 0, c, "");
        Cli.Result r = cli("run", "-b", b.toString(), "cap1");
        assertEquals(0, r.status(), r::toString);
        Map<String, Long> caps = caps(r.out());
        assertEquals(THREE_MASK, caps.get("CapBnd"), r::toString);
        assertEquals(THREE_MASK, caps.get("CapEff"), r::toString);
        assertEquals(THREE_MASK, caps.get("CapPrm"), r::toString);
        assertEquals(0L, caps.get("CapInh"), "CVE-2022-29162 class: inheritable is what the config says (nothing): " + r);
        assertEquals(0L, caps.get("CapAmb"), r::toString);
    }

    @Test
    void aNonRootUserKeepsItsCapabilitiesThroughAmbient() throws Exception {
        String c = ", \"capabilities\": {\"bounding\": %1$s, \"effective\": %1$s, \"permitted\": %1$s,"
                + " \"inheritable\": [\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}";
        Path b = bundle(List.of("sh", "-c", STATUS_LINES + "; id -u"), 1000, c.formatted(THREE), "");
        Cli.Result r = cli("run", "-b", b.toString(), "cap2");
        assertEquals(0, r.status(), r::toString);
        Map<String, Long> caps = caps(r.out());
        assertTrue(r.out().strip().endsWith("1000"), r::toString);
        assertEquals(1L << 5, caps.get("CapAmb"), r::toString);
        assertEquals(1L << 5, caps.get("CapEff"), "uid 1000 keeps only the ambient capability across exec: " + r);
        assertEquals(1L << 5, caps.get("CapInh"), r::toString);
        assertEquals(THREE_MASK, caps.get("CapBnd"), r::toString);
    }

    @Test
    void anExecdProcessGetsTheContainersCapabilitiesNotTheRuntimes() throws Exception {
        String c = ", \"capabilities\": {\"bounding\": %1$s, \"effective\": %1$s, \"permitted\": %1$s}".formatted(THREE);
        Path b = bundle(List.of("sleep", "30"), 0, c, "");
        assertEquals(0, cli("run", "-d", "-b", b.toString(), "cap3").status());
        try {
            Cli.Result r = cli("exec", "cap3", "sh", "-c", STATUS_LINES);
            assertEquals(0, r.status(), r::toString);
            assertEquals(THREE_MASK, caps(r.out()).get("CapEff"), r::toString);
            assertEquals(THREE_MASK, caps(r.out()).get("CapBnd"), r::toString);
            assertEquals(0L, caps(r.out()).get("CapInh"), r::toString);
        } finally {
            assertEquals(0, cli("delete", "--force", "cap3").status());
        }
    }

    @Test
    void runcsExecFlagsAddACapabilityGroupsAndNoNewPrivs() throws Exception {
        String c = ", \"capabilities\": {\"bounding\": %1$s, \"effective\": %1$s, \"permitted\": %1$s}".formatted(THREE);
        Path b = bundle(List.of("sleep", "30"), 0, c, "");
        Path config = b.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": false"));
        String show = STATUS_LINES + "; grep -E '^(NoNewPrivs|Groups)' /proc/self/status";
        assertEquals(0, cli("run", "-d", "-b", b.toString(), "flags1").status());
        try {
            Cli.Result r = cli("exec", "--cap", "CAP_SYS_ADMIN", "--no-new-privs", "-u", "0:0", "-g", "5", "-g", "7", "flags1",
                    "sh", "-c", show);
            assertEquals(0, r.status(), r::toString);
            long withAdmin = THREE_MASK | (1L << 21);
            assertEquals(withAdmin, caps(r.out()).get("CapEff"), r::toString);
            assertEquals(withAdmin, caps(r.out()).get("CapBnd"), r::toString);
            assertEquals(0L, caps(r.out()).get("CapAmb"), "no inheritable set, so no ambient: " + r);
            assertTrue(r.out().contains("NoNewPrivs:\t1") && r.out().matches("(?s).*Groups:\\s+5 7\\s.*"), r::toString);
            // without the flags: the container's sets, no no_new_privs, no groups
            r = cli("exec", "flags1", "sh", "-c", show);
            assertEquals(0, r.status(), r::toString);
            assertEquals(THREE_MASK, caps(r.out()).get("CapEff"), r::toString);
            assertTrue(r.out().contains("NoNewPrivs:\t0"), r::toString);
            // bad values are refused naming the option, never quoting the value
            r = cli("exec", "--cap", "CAP_S3CR3T", "flags1", "true");
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains("exec: --cap[0]: unknown capability") && !r.err().contains("S3CR3T"), r::toString);
            r = cli("exec", "-g", "5", "flags1", "true");
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains("exec: --additional-gids: needs --user"), r::toString);
        } finally {
            assertEquals(0, cli("delete", "--force", "flags1").status());
        }
    }

    @Test
    void anExecdProcessKeepsTheContainersRlimitsAndOomScoreNotTheCallers() throws Exception {
        Path b = bundle(List.of("sleep", "30"), 0, ", \"oomScoreAdj\": 345", "");
        Path config = b.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"hard\": 1024, \"soft\": 1024", "\"hard\": 888, \"soft\": 777"));
        assertEquals(0, cli("run", "-d", "-b", b.toString(), "lim1").status());
        try {
            Cli.Result r = cli("exec", "lim1", "sh", "-c", "ulimit -Sn; ulimit -Hn; cat /proc/self/oom_score_adj");
            assertEquals(0, r.status(), r::toString);
            assertEquals(List.of("777", "888", "345"), r.out().lines().map(String::strip).toList(), r::toString);
        } finally {
            assertEquals(0, cli("delete", "--force", "lim1").status());
        }
    }

    @Test
    void badCapabilitySetsAreRefusedNamingTheFieldAndLeaveNothing() throws Exception {
        Path b = bundle(List.of("true"), 0, ", \"capabilities\": {\"bounding\": [\"CAP_NO_SUCH\"]}", "");
        Cli.Result r = cli("create", "-b", b.toString(), "bad1");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("process.capabilities.bounding[0]") && r.err().contains("unknown capability"), r::toString);
        b = bundle(List.of("true"), 0, ", \"capabilities\": {\"effective\": [\"CAP_KILL\"], \"permitted\": []}", "");
        r = cli("create", "-b", b.toString(), "bad2");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("process.capabilities.effective: CAP_KILL is not in the permitted set"), r::toString);
        assertFalse(Files.exists(tmp.resolve("state/bad1")) || Files.exists(tmp.resolve("state/bad2")), "no state");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void oomScoreSysctlAndPersonalityAreSeenInside() throws Exception {
        String hostShmmax = Files.readAllLines(Path.of("/proc/sys/kernel/shmmax")).getFirst();
        Path b = bundle(List.of("sh", "-c", "cat /proc/self/oom_score_adj /proc/sys/kernel/shmmax /proc/self/personality"), 0,
                ", \"oomScoreAdj\": 345", ", \"sysctl\": {\"kernel.shmmax\": \"12345678\"}, \"personality\": {\"domain\": \"LINUX32\"}");
        Cli.Result r = cli("run", "-b", b.toString(), "misc1");
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("345", "12345678", "00000008"), r.out().lines().map(String::strip).toList(), "PER_LINUX32 is 8: " + r);
        assertEquals(hostShmmax, Files.readAllLines(Path.of("/proc/sys/kernel/shmmax")).getFirst(), "the host's value is untouched");
    }

    /** A bundle with a new user namespace mapping host root, whose process prints its oom_score_adj. */
    private Path userNamespaceOomBundle(int value) throws Exception {
        String ns = Bundles.DEFAULT_NAMESPACES.replace("[", "[{\"type\": \"user\"}, ");
        String maps = ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 65536}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 65536}]";
        Path b = bundle(List.of("cat", "/proc/self/oom_score_adj"), 0, ", \"oomScoreAdj\": " + value, maps);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json")).replace(Bundles.DEFAULT_NAMESPACES, ns));
        return b;
    }

    private static boolean haveCapSysResource() throws Exception {
        String eff = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow();
        return (Long.parseUnsignedLong(eff.substring(7).strip(), 16) & (1L << 24)) != 0;
    }

    @Test
    void theParentWritesTheOomScoreOfAChildInANewUserNamespace() throws Exception {
        Cli.Result r = cli("run", "-b", userNamespaceOomBundle(300).toString(), "oom2");
        assertEquals(0, r.status(), r::toString);
        assertEquals("300", r.out().strip(), r::toString);
    }

    @Test
    void aLowerOomScoreNeedsCapSysResourceInTheRuntime() throws Exception {
        // Lowering below 0 needs CAP_SYS_RESOURCE in the initial user namespace, which a child born
        // in a new one never has: the parent writes it. Without the capability (this test host's
        // root lacks it) no process can, and the start fails saying so, leaving nothing.
        Path b = userNamespaceOomBundle(-500);
        Cli.Result r = cli("run", "-b", b.toString(), "oom3");
        if (haveCapSysResource()) {
            assertEquals(0, r.status(), r::toString);
            assertEquals("-500", r.out().strip(), r::toString);
        } else {
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains("process.oomScoreAdj") && r.err().contains("CAP_SYS_RESOURCE"), r::toString);
            assertFalse(Files.exists(tmp.resolve("state/oom3")), "no state");
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aSysctlThatWouldChangeTheHostIsRefused() throws Exception {
        Path b = bundle(List.of("true"), 0, "", ", \"sysctl\": {\"kernel.panic\": \"1\"}");
        Cli.Result r = cli("run", "-b", b.toString(), "misc2");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("linux.sysctl.kernel.panic: not a namespaced sysctl"), r::toString);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json"))
                .replace("{\"type\": \"network\"}", "{\"type\": \"cgroup\"}").replace("kernel.panic", "net.ipv4.ip_forward"));
        r = cli("run", "-b", b.toString(), "misc2");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("linux.sysctl.net.ipv4.ip_forward: needs a network namespace of the container's own"), r::toString);
        assertFalse(Files.exists(tmp.resolve("state/misc2")));
    }

    @Test
    void anAppArmorProfileIsTheContainersWhereTheHostHasAppArmor() throws Exception {
        assumeTrue(dev.isthmus.plan.Host.LIVE.appArmor(), "this host has no AppArmor (/sys/module/apparmor/parameters/enabled is not Y)");
        Path b = bundle(List.of("cat", "/proc/self/attr/current"), 0, ", \"apparmorProfile\": \"unconfined\"", "");
        Cli.Result r = cli("run", "-b", b.toString(), "lsm1");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().strip().startsWith("unconfined"), r::toString);
    }

    @Test
    void anSeLinuxLabelIsTheContainersWhereTheHostHasSeLinux() throws Exception {
        assumeTrue(dev.isthmus.plan.Host.LIVE.seLinux(), "this host has no SELinux (no /sys/fs/selinux)");
        // The test's own label: one the policy certainly lets this process give its children.
        String label = Files.readString(Path.of("/proc/self/attr/current")).replace("\0", "").strip();
        Path b = bundle(List.of("cat", "/proc/self/attr/current"), 0, ", \"selinuxLabel\": \"" + label + "\"", "");
        Cli.Result r = cli("run", "-b", b.toString(), "lsm2");
        assertEquals(0, r.status(), r::toString);
        assertEquals(label, r.out().replace("\0", "").strip(), r::toString);
    }

    @Test
    void lsmLabelsTheHostCannotApplyAreRefusedNamingTheFieldAndLeaveNothing() throws Exception {
        boolean appArmor = dev.isthmus.plan.Host.LIVE.appArmor();
        boolean seLinux = dev.isthmus.plan.Host.LIVE.seLinux();
        assumeTrue(!appArmor || !seLinux, "this host has both AppArmor and SELinux: no label is refused");
        String field = !appArmor ? "process.apparmorProfile" : "process.selinuxLabel";
        String member = !appArmor ? ", \"apparmorProfile\": \"box\"" : ", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"";
        Path b = bundle(List.of("true"), 0, member, "");
        Cli.Result r = cli("run", "-b", b.toString(), "lsm3");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains(field + ": this host has no"), r::toString);
        if (!seLinux) {
            b = bundle(List.of("true"), 0, "", ", \"mountLabel\": \"system_u:object_r:container_file_t:s0\"");
            r = cli("create", "-b", b.toString(), "lsm4");
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains("linux.mountLabel: this host has no SELinux"), r::toString);
        }
        assertFalse(Files.exists(tmp.resolve("state/lsm3")) || Files.exists(tmp.resolve("state/lsm4")), "no state");
        RunIntegrationTest.assertNothingLeft(b);
    }

    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");

    @Test
    void theInitIsNonDumpableUntilItExecsTheProgram() throws Exception {
        // A non-dumpable process's /proc files belong to root, whatever its uid (proc(5)).
        Path b = bundle(List.of("sleep", "30"), 1000, "", "");
        assertEquals(0, cli("create", "-b", b.toString(), "nd").status());
        try {
            Matcher m = PID.matcher(cli("state", "nd").out());
            assertTrue(m.find());
            Path environ = Path.of("/proc", m.group(1), "environ");
            assertEquals("1000", Files.readAllLines(Path.of("/proc", m.group(1), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1], "the parked init runs as the user");
            assertEquals(0, Files.getAttribute(environ, "unix:uid"), "parked: non-dumpable");
            assertEquals(0, cli("start", "nd").status());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.readString(Path.of("/proc", m.group(1), "cmdline")).startsWith("sleep") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1000, Files.getAttribute(environ, "unix:uid"), "after exec the program is dumpable again");
        } finally {
            assertEquals(0, cli("delete", "--force", "nd").status());
        }
    }

    @Test
    void noNewPrivsRlimitsUmaskDevicesMaskedAndReadonlyPathsAndPropagationAreSeenInside() throws Exception {
        String script = String.join("; ", "grep NoNewPrivs /proc/self/status", "ulimit -n", "umask",
                "stat -c '%F %t:%T %a' /dev/mynull", "echo x > /dev/mynull && echo dev-writes",
                "cat /proc/kcore | wc -c", "echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo sys-readonly",
                "grep ' / / ' /proc/self/mountinfo | grep -c shared:");
        String linux = """
                , "devices": [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 0, "gid": 0}],
                  "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"], "rootfsPropagation": "private"
                """;
        Path b = bundle(List.of("sh", "-c", script), 0, "", linux);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json"))
                .replace("\"soft\": 1024", "\"soft\": 321").replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 63}"));
        Cli.Result r = cli("run", "-b", b.toString(), "fields");
        assertEquals(List.of("NoNewPrivs:\t1", "321", "0077", "character special file 1:3 660", "dev-writes", "0", "sys-readonly", "0"),
                r.out().lines().toList(), r::toString);
    }
}
