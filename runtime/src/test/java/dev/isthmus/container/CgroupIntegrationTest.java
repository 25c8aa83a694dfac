package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.cgroup.Hierarchy;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * linux.cgroupsPath and linux.resources on real containers: each limit is read back from inside
 * the container where it shows there (its /proc/self/cgroup, a fork loop against pids.max, a tmpfs
 * writer against the memory limit, Cpus_allowed_list, mknod against the device rules), else from
 * the cgroup's own file while the container runs; delete and a refused value leave no directory.
 * Tests for a controller this host lacks skip with the reason.
 */
class CgroupIntegrationTest {

    private static Hierarchy h;

    @TempDir
    Path tmp;

    /** A cgroup name of its own per test run, so that a leftover is never taken for ours. */
    private final String base = "isthmus-cgtest-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;

    @BeforeAll
    static void requirements() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: creates cgroups, namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        h = Hierarchy.detect();
        assumeTrue(h.mode() != Hierarchy.Mode.V2 || !h.v2Controllers().isEmpty(), "no cgroup controllers on this host");
    }

    private Path bundle(List<String> args, String namespaces, String extraMounts, String linux) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        return Bundles.write(b, Bundles.config(args, "cg", true, namespaces, extraMounts, linux));
    }

    private static final String NS = "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]";
    private static final String TMPFS = ", {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=256m\"]}";

    private Cli.Result run(Path bundle, String id) throws Exception {
        return Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", bundle.toString(), id);
    }

    /** A lifecycle command; create's parked init keeps its stdio, so output goes to files. */
    private Cli.Result cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        return Cli.runToFiles(tmp.resolve("out-" + args[0]), tmp.resolve("err-" + args[0]), all.toArray(String[]::new));
    }

    /** The container's directory for {@code controller}, for an absolute cgroupsPath {@code path}. */
    private static Path dir(String controller, String path) {
        return h.mountOf(controller).resolve(path.substring(1));
    }

    /** Every directory of cgroup {@code path} (absolute) in every hierarchy, that exists now. */
    private static List<Path> existing(String path) {
        List<Path> out = new ArrayList<>();
        for (Path m : h.v1().values()) {
            if (Files.exists(m.resolve(path.substring(1)))) {
                out.add(m.resolve(path.substring(1)));
            }
        }
        if (h.v2() != null && Files.exists(h.v2().resolve(path.substring(1)))) {
            out.add(h.v2().resolve(path.substring(1)));
        }
        return out;
    }

    @Test
    void anAbsoluteCgroupsPathIsTheContainersCgroupInEveryHierarchyAndRunRemovesIt() throws Exception {
        String path = "/" + base + "/abs";
        Path b = bundle(List.of("cat", "/proc/self/cgroup"), NS, "", ", \"cgroupsPath\": \"" + path + "\"");
        Cli.Result r = run(b, "abs");
        assertEquals(0, r.status(), r.toString());
        for (String c : h.v1().keySet()) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+:([a-z_,]*,)?" + c + "(,[a-z_,]*)?:" + path)),
                    c + " hierarchy: " + r.out());
        }
        if (h.v2() != null) {
            assertTrue(r.out().lines().anyMatch(l -> l.equals("0::" + path)), "v2: " + r.out());
        }
        assertEquals(List.of(), existing("/" + base), "run removes the cgroup and the parent it made");
    }

    @Test
    void execModeEntersItsCgroupsAsItsImageAndDeleteRemovesThem() throws Exception {
        assumeTrue(h.has("cpuset"), "no cpuset controller on this host");
        String path = "/" + base + "/exec";
        Path b = bundle(List.of("sh", "-c", "cat /proc/self/cgroup; grep Cpus_allowed_list /proc/self/status"), NS.replace("{\"type\": \"pid\"}, ", ""),
                "", ", \"cgroupsPath\": \"" + path + "\", \"resources\": {\"cpu\": {\"cpus\": \"0\"}}");
        Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "--state-mode=exec", "run", "-b", b.toString(), "exm");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().filter(l -> l.contains(":/")).filter(l -> !l.contains("name=")).allMatch(l -> l.endsWith(":" + path)),
                r.out());
        assertTrue(r.out().contains("Cpus_allowed_list:\t0"), r.out());
        assertFalse(existing(path).isEmpty(), "nothing is left to remove it but delete");
        assertEquals(0, cli("delete", "exm").status());
        assertEquals(List.of(), existing("/" + base));
    }

    @Test
    void aCgroupNamespaceIsRootedAtTheContainersCgroup() throws Exception {
        String ns = NS.replace("]", ", {\"type\": \"cgroup\"}]");
        Path b = bundle(List.of("cat", "/proc/self/cgroup"), ns, "", ", \"cgroupsPath\": \"/" + base + "/ns\"");
        Cli.Result r = run(b, "ns");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().filter(l -> !l.contains("name=")).allMatch(l -> l.endsWith(":/")),
                "the child entered its cgroups before it made its cgroup namespace: " + r.out());
    }

    @Test
    void aCgroup2TreeHiddenUnderATmpfsIsNotUsed() throws Exception {
        // issue #15 item 6: with /sys/fs/cgroup/unified covered by a tmpfs (how crun is run on
        // this kind of host), the runtime used the hidden cgroup2 path and failed placing the
        // process. Hidden here in a private mount namespace of the runtime's own.
        assumeTrue(h.mode() == Hierarchy.Mode.HYBRID && h.v2() != null, "needs a hybrid host (v1 controllers and a cgroup2 tree)");
        String path = "/" + base + "/hidden";
        Path b = bundle(List.of("cat", "/proc/self/cgroup"), NS, "", ", \"cgroupsPath\": \"" + path + "\"");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"", h.v2().toString()));
        cmd.addAll(Cli.command("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "hidden"));
        Cli.Result r = Cli.run(new ProcessBuilder(cmd).redirectInput(new java.io.File("/dev/null")));
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+:memory:" + path)), "placed in its v1 cgroups: " + r);
        assertEquals(List.of(), existing("/" + base), "run removes what it made");
    }

    @Test
    void aRelativePathIsUnderTheRuntimesOwnCgroup() throws Exception {
        assumeTrue(h.v1().containsKey("memory") || h.v2Controllers().contains("memory"), "no memory controller here");
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.matches("\\d+:memory:.*|0::.*"))
                .filter(l -> h.v1().containsKey("memory") ? l.contains(":memory:") : l.startsWith("0::")).findFirst().orElseThrow()
                .replaceFirst("^[^:]*:[^:]*:", "");
        Path b = bundle(List.of("cat", "/proc/self/cgroup"), NS, "", ", \"cgroupsPath\": \"" + base + "-rel\"");
        Cli.Result r = run(b, "rel");
        assertEquals(0, r.status(), r.toString());
        String expected = (own.equals("/") ? "" : own) + "/" + base + "-rel";
        assertTrue(r.out().lines().anyMatch(l -> l.endsWith(":" + expected) && (l.contains("memory") || l.startsWith("0::"))),
                "expected " + expected + " in " + r.out());
    }

    @Test
    void theSystemdFormNamesASliceAndAScope() throws Exception {
        String slice = "isthmustest" + System.nanoTime() % 100000;
        Path b = bundle(List.of("cat", "/proc/self/cgroup"), NS, "", ", \"cgroupsPath\": \"" + slice + "-a.slice:ist:sd1\"");
        Cli.Result r = run(b, "sd1");
        assertEquals(0, r.status(), r.toString());
        String expected = "/" + slice + ".slice/" + slice + "-a.slice/ist-sd1.scope";
        assertTrue(r.out().lines().anyMatch(l -> l.endsWith(":" + expected)), "expected " + expected + " in " + r.out());
        assertEquals(List.of(), existing("/" + slice + ".slice"), "the slices it made are removed");
    }

    @Test
    void pidsLimitStopsAForkLoop() throws Exception {
        assumeTrue(h.has("pids"), "no pids controller on this host");
        // An inner shell forks one-process jobs (sh -c with a builtin, then exec) until fork fails
        // (busybox sh then exits 2); the outer shell waits for the jobs and counts them.
        String loop = "sh -c 'for i in $(seq 1 20); do sh -c \"echo x >> /tmp/started; exec sleep 2\" & done' 2>/tmp/errors; "
                + "echo inner=$?; sleep 3; echo started=$(wc -l < /tmp/started); cat /tmp/errors";
        Path b = bundle(List.of("sh", "-c", loop), NS, TMPFS,
                ", \"cgroupsPath\": \"/" + base + "/pids\", \"resources\": {\"pids\": {\"limit\": 6}}");
        Cli.Result r = run(b, "pids");
        assertEquals(0, r.status(), r.toString());
        Matcher m = Pattern.compile("started=(\\d+)").matcher(r.out());
        assertTrue(m.find(), r.toString());
        int started = Integer.parseInt(m.group(1));
        assertTrue(started >= 1 && started <= 4, "two shells and at most 4 jobs fit in pids.max 6: " + r.out());
        assertTrue(r.out().contains("inner=2") && r.out().contains("can't fork"), "the inner shell's fork failed: " + r.out());
    }

    @Test
    void theMemoryLimitOomKillsATmpfsWriter() throws Exception {
        assumeTrue(h.has("memory"), "no memory controller on this host");
        Path b = bundle(List.of("sh", "-c", "dd if=/dev/zero of=/tmp/fill bs=1M count=128 2>/dev/null; echo dd=$?"), NS, TMPFS,
                ", \"cgroupsPath\": \"/" + base + "/mem\", \"resources\": {\"memory\": {\"limit\": 33554432}}");
        Cli.Result r = run(b, "mem");
        assertTrue(r.out().contains("dd=137"), "dd is killed by SIGKILL (the OOM killer): " + r);
        // the same writer without the limit finishes
        Bundles.write(b, Files.readString(b.resolve("config.json")).replace("\"limit\": 33554432", "\"limit\": 536870912"));
        Cli.Result ok = run(b, "mem2");
        assertTrue(ok.out().contains("dd=0"), ok.toString());
    }

    @Test
    void cpusetLimitsTheCpusTheContainerMayUse() throws Exception {
        assumeTrue(h.has("cpuset"), "no cpuset controller on this host");
        int last = Runtime.getRuntime().availableProcessors() - 1;
        Path b = bundle(List.of("grep", "Cpus_allowed_list", "/proc/self/status"), NS, "",
                ", \"cgroupsPath\": \"/" + base + "/cpuset\", \"resources\": {\"cpu\": {\"cpus\": \"" + last + "\", \"mems\": \"0\"}}");
        Cli.Result r = run(b, "cpuset");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().matches("Cpus_allowed_list:\\s+" + last + "\\s*"), r.out());
    }

    @Test
    void deviceRulesRefuseMknodAndKeepTheDefaultDevices() throws Exception {
        assumeTrue(h.v1().containsKey("devices"), "no v1 devices controller (the eBPF test covers v2)");
        deviceRules("v1", null);
    }

    @Test
    void deviceRulesAsAnEbpfProgramOnTheV2Directory() throws Exception {
        assumeTrue(h.v2() != null, "no cgroup v2 hierarchy on this host");
        // On a v2-only host this is the default; ISTHMUS_CGROUP_DEVICES=ebpf asks for it on a v1/hybrid one.
        deviceRules("ebpf", "ebpf");
    }

    private void deviceRules(String name, String env) throws Exception {
        String sh = "mknod /tmp/kmsg c 1 11 && echo mknod-ok; echo x > /dev/null && echo null-ok";
        Path b = bundle(List.of("sh", "-c", sh), NS, TMPFS,
                ", \"cgroupsPath\": \"/" + base + "/" + name + "\", \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}");
        Cli.Result r = runWith(b, name + "1", env);
        assertFalse(r.out().contains("mknod-ok"), "deny-all refuses mknod of c 1:11: " + r);
        assertTrue(r.out().contains("null-ok"), "the default devices stay usable: " + r);
        Bundles.write(b, Files.readString(b.resolve("config.json")).replace("{\"allow\": false, \"access\": \"rwm\"}",
                "{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"m\"}"));
        Cli.Result allowed = runWith(b, name + "2", env);
        assertTrue(allowed.out().contains("mknod-ok"), "an allow rule for c 1:11 m permits it: " + allowed);
        Bundles.write(b, Files.readString(b.resolve("config.json")).replace("\"access\": \"m\"", "\"access\": \"r\""));
        Cli.Result readOnly = runWith(b, name + "3", env);
        assertFalse(readOnly.out().contains("mknod-ok"), "an allow rule for r only does not permit mknod: " + readOnly);
        assertEquals(List.of(), existing("/" + base));
    }

    private Cli.Result runWith(Path bundle, String id, String devicesEnv) throws Exception {
        ProcessBuilder pb = Cli.builder("--root", tmp.resolve("state").toString(), "run", "-b", bundle.toString(), id)
                .redirectInput(new File("/dev/null"));
        if (devicesEnv != null) {
            pb.environment().put("ISTHMUS_CGROUP_DEVICES", devicesEnv);
        }
        return Cli.run(pb);
    }

    @Test
    void cpuBlkioAndHugetlbValuesAreReadFromInsideTheContainer() throws Exception {
        assumeTrue(h.has("cpu"), "no cpu controller on this host");
        String path = "/" + base + "/files";
        StringBuilder res = new StringBuilder("\"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000}");
        String blockDev = blockDevice();
        if (h.has("blkio") && !h.isV2("blkio") && blockDev != null) {
            String[] mm = blockDev.split(":");
            res.append(", \"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": " + mm[0] + ", \"minor\": " + mm[1]
                    + ", \"rate\": 1048576}]}");
        }
        // 2 MB pages are what the kernel offers (a v2 root cgroup has no hugetlb.* files to look at).
        boolean huge = h.has("hugetlb") && Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB"));
        if (huge) {
            res.append(", \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]");
        }
        // Read from inside: on v1 and hybrid the cgroup mount is a tmpfs holding the container's
        // own directory of each hierarchy (as runc does), so a program reads its own limits at
        // /sys/fs/cgroup/NAME/FILE; on v2 only, a cgroup2 mount where its directory has its host path.
        List<String> files = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        if (h.isV2("cpu")) {
            files.add(inside("cpu", path, "cpu.max"));
            expected.add("20000 100000");
        } else {
            files.add(inside("cpu", path, "cpu.shares"));
            expected.add("512");
            files.add(inside("cpu", path, "cpu.cfs_quota_us"));
            expected.add("20000");
        }
        if (res.toString().contains("blockIO")) {
            files.add(inside("blkio", path, "blkio.throttle.read_bps_device"));
            expected.add(blockDev + " 1048576");
        }
        if (huge) {
            files.add(inside("hugetlb", path, h.isV2("hugetlb") ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes"));
            expected.add("4194304");
        }
        assumeTrue(files.stream().allMatch(f -> f.startsWith("/sys/fs/cgroup")), "the host's cgroups are not under /sys/fs/cgroup: " + files);
        // and no other cgroup: the container's own directory is not found under a host path
        String hostTree = h.mode() == Hierarchy.Mode.V2 ? "" : "; test -e " + inside("cpu", path, base) + " && echo host-tree-visible";
        String script = "cat " + String.join(" ", files) + hostTree + "; touch /sys/fs/cgroup/x 2>/dev/null && echo writable; true";
        String cgroupMount = ", {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"ro\"]}";
        Path b = bundle(List.of("sh", "-c", script), NS, cgroupMount, ", \"cgroupsPath\": \"" + path + "\", \"resources\": {" + res + "}");
        Cli.Result r = run(b, "files");
        assertEquals(0, r.status(), r::toString);
        assertEquals(expected, r.out().lines().map(String::strip).toList(), "read inside from " + files);
        System.out.println("cgroup values read inside the container: " + files);
        assertEquals(List.of(), existing("/" + base), "run leaves no cgroup directory");
    }

    /** Where the container reads {@code file} of its own {@code controller} directory (cgroupsPath {@code path}). */
    private static String inside(String controller, String path, String file) {
        if (h.mode() == Hierarchy.Mode.V2) {
            return dir(controller, path).resolve(file).toString();
        }
        return "/sys/fs/cgroup/" + h.mountOf(controller).getFileName() + "/" + file;
    }

    /** major:minor of a whole-disk block device, or null. */
    private static String blockDevice() throws Exception {
        try (var s = Files.list(Path.of("/sys/block"))) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith("loop") && !n.startsWith("ram") && Files.exists(p.resolve("dev"))) {
                    return Files.readString(p.resolve("dev")).strip();
                }
            }
        }
        return null;
    }

    @Test
    void aCgroupTheContainerDidNotMakeIsNeverEmptiedOrRemoved() throws Exception {
        // issue 20, item 4: delete -f (and a create failing in its cgroup) SIGKILLed every process
        // of a linux.cgroupsPath that already held others. runc only warns; so does isthmus now.
        String path = "/" + base + "/shared";
        List<Path> dirs = new ArrayList<>();
        for (Map.Entry<String, Path> e : h.v1().entrySet()) {
            Path m = e.getValue();
            if (dirs.contains(m.resolve(path.substring(1)))) {
                continue; // co-mounted controllers share one hierarchy
            }
            dirs.add(Files.createDirectories(m.resolve(path.substring(1))));
            if (e.getKey().equals("cpuset")) {
                // a v1 cpuset cgroup takes no process until it has cpus and mems (ENOSPC)
                for (Path d : List.of(m.resolve(base), m.resolve(path.substring(1)))) {
                    for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                        Files.writeString(d.resolve(f), Files.readString(d.getParent().resolve(f)).strip());
                    }
                }
            }
        }
        if (h.v2() != null) {
            dirs.add(Files.createDirectories(h.v2().resolve(path.substring(1))));
        }
        Process bystander = new ProcessBuilder("sleep", "60").start();
        try {
            for (Path d : dirs) {
                Files.writeString(d.resolve("cgroup.procs"), Long.toString(bystander.pid()));
            }
            Path b = bundle(List.of("sleep", "300"), NS, "", ", \"cgroupsPath\": \"" + path + "\"");
            assertEquals(0, cli("create", "-b", b.toString(), "shared").status(), Files.readString(tmp.resolve("err-create")));
            assertEquals(0, cli("start", "shared").status());
            assertEquals(0, cli("delete", "--force", "shared").status(), Files.readString(tmp.resolve("err-delete")));
            assertTrue(bystander.isAlive(), "a process the container did not start was killed by delete -f");
            assertEquals(dirs.size(), existing(path).size(), "a cgroup isthmus did not make was removed");
            RunIntegrationTest.assertNothingLeft(b);
        } finally {
            bystander.destroyForcibly();
            bystander.waitFor();
            for (Path d : dirs.reversed()) {
                for (int i = 0; i < 100 && Files.exists(d); i++) {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException e) {
                        Thread.sleep(10); // the killed sleep is still leaving it
                    }
                }
            }
            for (Path m : h.v1().values()) {
                Files.deleteIfExists(m.resolve(base));
            }
            if (h.v2() != null) {
                Files.deleteIfExists(h.v2().resolve(base));
            }
        }
    }

    @Test
    void pauseResumeUpdateEventsAndDeleteOnACreatedContainer() throws Exception {
        String path = "/" + base + "/life";
        Path b = bundle(List.of("sh", "-c", "while true; do sleep 1; done"), NS, "",
                ", \"cgroupsPath\": \"" + path + "\", \"resources\": {\"pids\": {\"limit\": 50}}");
        assertEquals(0, cli("create", "-b", b.toString(), "life").status(), Files.readString(tmp.resolve("err-create")));
        assertFalse(existing(path).isEmpty(), "create made the cgroup");
        try {
            assertEquals(0, cli("start", "life").status());
            Cli.Result ex = cli("exec", "life", "cat", "/proc/self/cgroup");
            assertEquals(0, ex.status(), ex.err());
            assertTrue(ex.out().lines().filter(l -> !l.contains("name=")).allMatch(l -> l.endsWith(":" + path)),
                    "an exec'd process joins the container's cgroups: " + ex.out());
            assertEquals(0, cli("pause", "life").status(), Files.readString(tmp.resolve("err-pause")));
            assertTrue(cli("state", "life").out().contains("\"paused\""), Files.readString(tmp.resolve("out-state")));
            assertNotEquals(0, cli("pause", "life").status(), "pausing a paused container is refused");
            assertNotEquals(0, cli("delete", "life").status(), "deleting a paused container needs --force");
            assertEquals(0, cli("resume", "life").status(), Files.readString(tmp.resolve("err-resume")));
            assertTrue(cli("state", "life").out().contains("\"running\""));

            if (h.has("pids")) {
                Cli.Result u = cli("update", "--pids-limit", "7", "life");
                assertEquals(0, u.status(), u.err());
                assertEquals("7", Files.readString(dir("pids", path).resolve("pids.max")).strip());
                Cli.Result ev = cli("events", "--stats", "life");
                assertEquals(0, ev.status(), ev.err());
                Matcher m = Pattern.compile("\"pids\":\\{\"current\":(\\d+),\"limit\":7}").matcher(ev.out());
                assertTrue(ev.out().startsWith("{\"type\":\"stats\",\"id\":\"life\",\"data\":{") && m.find(), ev.out());
                assertTrue(Integer.parseInt(m.group(1)) >= 1, ev.out());
            }
            if (h.has("memory") && !h.isV2("memory")) {
                Path f = tmp.resolve("res.json");
                Files.writeString(f, "{\"memory\": {\"limit\": 209715200}}");
                Cli.Result u = cli("update", "-r", f.toString(), "life");
                assertEquals(0, u.status(), u.err());
                assertEquals("209715200", Files.readString(dir("memory", path).resolve("memory.limit_in_bytes")).strip());
            }
            if (h.has("cpuset")) {
                Cli.Result bad = cli("update", "--cpuset-cpus", "4096", "life");
                assertEquals(1, bad.status());
                assertTrue(bad.err().contains("linux.resources.cpu.cpus"), bad.err());
            }
        } finally {
            Cli.Result d = cli("delete", "-f", "life");
            assertEquals(0, d.status(), d.err());
        }
        assertEquals(List.of(), existing("/" + base), "delete leaves no cgroup directory");
        assertFalse(Files.exists(tmp.resolve("state/life")));
    }

    @Test
    void eventsStreamsStatsAndReportsAnOomKillUntilTheContainerStops() throws Exception {
        assumeTrue(h.has("memory"), "no memory controller on this host");
        String path = "/" + base + "/events";
        Path b = bundle(List.of("sh", "-c", "sleep 1; dd if=/dev/zero of=/tmp/fill bs=1M count=128 2>/dev/null; sleep 1"), NS, TMPFS,
                ", \"cgroupsPath\": \"" + path + "\", \"resources\": {\"memory\": {\"limit\": 33554432}}");
        assertEquals(0, cli("create", "-b", b.toString(), "ev").status(), Files.readString(tmp.resolve("err-create")));
        try {
            assertEquals(0, cli("start", "ev").status());
            Cli.Result ev = cli("events", "--interval", "300ms", "ev");
            assertEquals(0, ev.status(), ev.err());
            List<String> lines = ev.out().lines().toList();
            assertTrue(lines.stream().filter(l -> l.startsWith("{\"type\":\"stats\",\"id\":\"ev\"")).count() >= 3,
                    "a stats object every 300 ms for about 2 s: " + ev.out());
            assertTrue(lines.contains("{\"type\":\"oom\",\"id\":\"ev\"}"), "the OOM kill of dd is reported: " + ev.out());
        } finally {
            assertEquals(0, cli("delete", "-f", "ev").status());
        }
        assertEquals(List.of(), existing("/" + base));
    }

    @Test
    void aBadValueNamesTheFieldAndLeavesNothing() throws Exception {
        assumeTrue(h.has("cpuset"), "no cpuset controller on this host");
        String path = "/" + base + "/bad";
        Path b = bundle(List.of("true"), NS, "",
                ", \"cgroupsPath\": \"" + path + "\", \"resources\": {\"pids\": {\"limit\": 5}, \"cpu\": {\"cpus\": \"4096\"}}");
        Cli.Result c = cli("create", "-b", b.toString(), "bad");
        assertEquals(1, c.status());
        assertTrue(c.err().contains("linux.resources.cpu.cpus"), c.err());
        assertEquals(List.of(), existing("/" + base), "no cgroup directory left");
        assertFalse(Files.exists(tmp.resolve("state/bad")), "no state left");
        Cli.Result r = run(b, "bad");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("linux.resources.cpu.cpus"), r.err());
        assertEquals(List.of(), existing("/" + base), "no cgroup directory left by run");
        assertFalse(Files.exists(tmp.resolve("state/bad")), "no state left by run");
    }

    @Test
    void aControllerTheHostLacksIsRefusedBeforeAnythingIsMade() throws Exception {
        assumeTrue(!h.has("net_cls"), "this host has net_cls: nothing to refuse");
        Path b = bundle(List.of("true"), NS, "",
                ", \"cgroupsPath\": \"/" + base + "/nc\", \"resources\": {\"network\": {\"classID\": 1048577}}");
        Cli.Result r = run(b, "nc");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("linux.resources.network.classID") && r.err().contains("net_cls"), r.err());
        assertEquals(List.of(), existing("/" + base));
    }
}
