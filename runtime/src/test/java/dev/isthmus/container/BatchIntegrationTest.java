package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `isthmus batch` on real containers. Needs root and a static busybox. */
class BatchIntegrationTest {

    private static final Pattern RESULT = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"pid\":(\\d+),\"(exit|signal)\":(\\d+),\"wall_ms\":[0-9.]+"
            + "(,\"error\":\"([^\"]*)\")?(,\"interrupted\":true)?\\}");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    private Path template() throws Exception {
        return template("");
    }

    private Path template(String extraLinux) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        Bundles.busyboxRootfs(b);
        return Bundles.write(b, Bundles.config(List.of("true"), "batch", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]", "", extraLinux));
    }

    @Test
    void tasksInTheTemplateNamespaceAreIsolatedFromEachOther() throws Exception {
        Path b = template(", \"maskedPaths\": [\"/proc/keys\", \"/proc/asound-not-here\"], \"readonlyPaths\": [\"/proc/sys\"]");
        dev.isthmus.spec.Config config = dev.isthmus.spec.ConfigReader.read(b.resolve("config.json"));
        List<String> mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        try (dev.isthmus.batch.Launcher launcher = new dev.isthmus.batch.Launcher(config, b, 1)) {
            assertTrue(launcher.usesTemplateNamespace(), "this template splits (read-only root, /proc and /dev tmpfs)");
            String[][] tasks = {
                {"writes", "touch /dev/planted && mkdir /dev/dir && [ -e /dev/planted ]"},
                // one task at a time: the first has ended; its /dev was its own
                {"sees-nothing", "[ ! -e /dev/planted ] && [ ! -e /dev/dir ] && [ -c /dev/null ]"},
                {"own-pid-ns", "[ $$ = 1 ] && grep -q '^NSpid:[[:space:]]*1$' /proc/1/status"}, // its own proc: one level of pids
                {"root-read-only", "! touch /planted 2>/dev/null"},
                // the template namespace's fd was closed before the task's program ran: stdio and ls's own only
                {"no-runtime-fd", "! ls -l /proc/self/fd | grep -q 'mnt:' && [ $(ls /proc/self/fd | wc -l) -le 4 ]"},
                {"masks", "[ ! -s /proc/keys ] && [ ! -e /proc/asound-not-here ] && ! sh -c 'echo 1 > /proc/sys/kernel/domainname' 2>/dev/null"},
                // one root: the template's copy, nothing of the host's old root left below it
                {"one-root", "[ $(grep -c '^[0-9]* [0-9]* [0-9]*:[0-9]* [^ ]* / ' /proc/self/mountinfo) = 1 ]"},
            };
            for (String[] t : tasks) {
                dev.isthmus.batch.TaskResult r = launcher.submit(dev.isthmus.batch.Task.of(t[0], "sh", "-c", t[1])).join();
                assertTrue(r.succeeded(), t[0] + ": " + r.toJson());
            }
        }
        assertEquals(mountsBefore, Files.readAllLines(Path.of("/proc/self/mountinfo")), "no mount left in the runtime's namespace");
        assertEquals(List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList(), "the template's holder is gone");
    }

    @Test
    void theLaunchProfileAccountsForTheWholeLaunch() throws Exception {
        Path b = template(", \"maskedPaths\": [\"/proc/kcore\", \"/proc/keys\"], \"readonlyPaths\": [\"/proc/sys\"]");
        dev.isthmus.spec.Config config = dev.isthmus.spec.ConfigReader.read(b.resolve("config.json"));
        try (dev.isthmus.batch.Launcher launcher = new dev.isthmus.batch.Launcher(config, b, 1)) {
            dev.isthmus.batch.LaunchProfile.Result r = launcher.profile(20);
            double sum = r.rows().stream().mapToDouble(dev.isthmus.batch.LaunchProfile.Row::micros).sum();
            // the rows split the launch from before clone3 to the reap: they add up to it
            assertTrue(Math.abs(sum - r.launchMicros()) < 0.01 * r.launchMicros(), sum + " us in rows, " + r.launchMicros() + " us launch");
            assertTrue(r.rows().stream().allMatch(row -> row.micros() >= 0), r.rows().toString());
            assertTrue(r.rows().stream().anyMatch(row -> row.group().equals("masked paths") && row.micros() > 0), r.rows().toString());
            assertTrue(r.floorMicros() > 0 && r.overheadMicros() > 0, r.toString());
        }
    }

    @Test
    void tasksAreBornInTheConfiguredCgroup() throws Exception {
        Path v2 = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(" - cgroup2 ")).map(l -> Path.of(l.split(" ")[4])).findFirst().orElse(null);
        assumeTrue(v2 != null, "no cgroup2 hierarchy mounted on this host: CLONE_INTO_CGROUP has nowhere to place tasks");
        String name = "isthmus-batch-test-" + ProcessHandle.current().pid();
        Path b = template(", \"cgroupsPath\": \"/" + name + "\"");
        Path file = Files.writeString(tmp.resolve("tasks"), """
                {"id": "a", "args": ["sh", "-c", "grep -q '^0::/%1$s$' /proc/self/cgroup"]}
                {"id": "b", "args": ["sh", "-c", "grep -q '^0::/%1$s$' /proc/self/cgroup"]}
                """.formatted(name));
        Cli.Result r = Cli.run("batch", "-b", b.toString(), "-j", "2", file.toString());
        assertEquals(0, r.status(), "both tasks found themselves in " + name + ": " + r);
        assertFalse(Files.exists(v2.resolve(name)), "the cgroup the batch created is removed");
    }

    private static Map<String, Matcher> results(String out) {
        Map<String, Matcher> byId = new HashMap<>();
        for (String line : out.lines().toList()) {
            Matcher m = RESULT.matcher(line);
            assertTrue(m.matches(), "not a result line: " + line);
            assertEquals(null, byId.put(m.group(1), m), "two results for " + m.group(1));
        }
        return byId;
    }

    @Test
    void twoThousandTasksWithMixedExitCodesGiveExactlyTheRightResults() throws Exception {
        Path b = template();
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            tasks.append("{\"id\":\"t").append(i).append("\",\"args\":[\"sh\",\"-c\",\"exit ").append(i % 7).append("\"]}\n");
        }
        tasks.append("{\"id\":\"missing\",\"args\":[\"/bin/no-such-program\"]}\n");
        // a task with its own hostname is planned from a patched config instead of the template's plan
        tasks.append("{\"id\":\"renamed\",\"args\":[\"sh\",\"-c\",\"test $(hostname) = other\"],\"hostname\":\"other\"}\n");
        Path file = Files.writeString(tmp.resolve("tasks"), tasks);
        Cli.Result r = Cli.run("batch", "-b", b.toString(), "-j", "4", file.toString());
        assertEquals(1, r.status(), "some tasks fail, so the batch fails: " + r.err());
        Map<String, Matcher> byId = results(r.out());
        assertEquals(2002, byId.size());
        for (int i = 0; i < 2000; i++) {
            Matcher m = byId.get("t" + i);
            assertEquals("exit", m.group(3), m.group());
            assertEquals(i % 7, Integer.parseInt(m.group(4)), m.group());
            assertEquals(null, m.group(5), m.group());
        }
        Matcher missing = byId.get("missing");
        assertEquals("127", missing.group(4));
        assertEquals("exec /bin/no-such-program: No such file or directory", missing.group(6));
        assertEquals("0", byId.get("renamed").group(4), "the task's hostname was applied: " + byId.get("renamed").group());
        assertTrue(r.err().contains("2002 tasks, "), r.err());
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aTemplateNamespaceThatCannotBeMadeFallsBackToPerTaskSetUp() throws Exception {
        Path b = template();
        // a bind belongs to the template namespace; its missing source makes the holder fail
        Bundles.write(b, Bundles.config(List.of("true"), "batch", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]",
                ", {\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"/no/such/dir\", \"options\": [\"rbind\"]}", ""));
        dev.isthmus.spec.Config config = dev.isthmus.spec.ConfigReader.read(b.resolve("config.json"));
        try (dev.isthmus.batch.Launcher launcher = new dev.isthmus.batch.Launcher(config, b, 1)) {
            assertFalse(launcher.usesTemplateNamespace(), "the batch starts, planned for per-task set-up");
            dev.isthmus.batch.TaskResult r = launcher.submit(dev.isthmus.batch.Task.of("t")).join();
            assertFalse(r.succeeded());
            assertTrue(r.error() != null && r.error().contains("/no/such/dir"), "each task fails naming its step: " + r.toJson());
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void theTemplatesDeviceRuleAndLimitsHoldInEveryTask() throws Exception {
        // runc spec's device rule (deny all but the defaults) and a pids limit the tasks share
        Path b = template(", \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"pids\": {\"limit\": 16}}");
        dev.isthmus.spec.Config config = dev.isthmus.spec.ConfigReader.read(b.resolve("config.json"));
        List<Path> dirs;
        try (dev.isthmus.batch.Launcher launcher = new dev.isthmus.batch.Launcher(config, b, 2)) {
            dirs = launcher.batchCgroupDirs();
            assertFalse(dirs.isEmpty(), "a template with resources gets the batch's cgroup");
            for (Path d : dirs) {
                assertTrue(Files.isDirectory(d), d + " is made before the first task");
            }
            String[][] tasks = {
                // the task is root with every capability: only the device rule stands between it and the host's memory
                {"mknod-mem", "! mknod /dev/m c 1 1 2>/dev/null && ! mknod /dev/sda b 8 0 2>/dev/null"},
                // the spec's default devices stay usable
                {"defaults", "echo x > /dev/null && [ $(head -c 4 /dev/zero | wc -c) = 4 ] && head -c 4 /dev/urandom > /dev/null"},
                // a fork bomb stops at the limit: of 40 sleeps, no more start than the limit lets (the inner
                // shell dies at its first refused fork; the outer one counts with builtins, no fork)
                {"pids", "sh -c 'i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done' 2>/dev/null; set -- /proc/[0-9]*; n=$#; "
                        + "kill -9 -1; [ $n -ge 8 ] && [ $n -le 16 ]"},
            };
            for (String[] t : tasks) {
                dev.isthmus.batch.TaskResult r = launcher.submit(dev.isthmus.batch.Task.of(t[0], "sh", "-c", t[1])).join();
                assertTrue(r.succeeded(), t[0] + ": " + r.toJson());
            }
            // each task's own cgroup lines name the batch's directories (v1 and v2 alike)
            dev.isthmus.batch.TaskResult r = launcher.submit(dev.isthmus.batch.Task.of("where", "sh", "-c",
                    "grep -q '" + dirs.getFirst().getFileName() + "' /proc/self/cgroup")).join();
            assertTrue(r.succeeded(), "where: " + r.toJson());
        }
        for (Path d : dirs) {
            assertFalse(Files.exists(d), d + " is removed when the batch ends");
        }
        // no thread of the runtime is left in the removed cgroup (the launcher threads have ended)
        try (var threads = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : threads.toList()) {
                String cg = Files.readString(t.resolve("cgroup"));
                assertFalse(cg.contains(dirs.getFirst().getFileName().toString()), t + ": " + cg);
            }
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void theDeviceRuleHoldsForTasksBornIntoTheV2CgroupAsOnAV2OnlyHost() throws Exception {
        // On a v2-only host device rules are an eBPF program on the cgroup the tasks are born into
        // (CLONE_INTO_CGROUP); ISTHMUS_CGROUP_DEVICES=ebpf takes that path on this hybrid host too
        assumeTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(" - cgroup2 ")),
                "no cgroup2 hierarchy mounted: no eBPF device program to attach");
        Path b = template(", \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}");
        Path file = Files.writeString(tmp.resolve("tasks"), """
                {"id": "mknod-mem", "args": ["sh", "-c", "! mknod /dev/m c 1 1 2>/dev/null && ! mknod /dev/sda b 8 0 2>/dev/null"]}
                {"id": "defaults", "args": ["sh", "-c", "echo x > /dev/null && [ $(head -c 4 /dev/zero | wc -c) = 4 ]"]}
                """);
        ProcessBuilder pb = Cli.builder("batch", "-b", b.toString(), "-j", "1", file.toString());
        pb.environment().put("ISTHMUS_CGROUP_DEVICES", "ebpf");
        Cli.Result r = Cli.run(pb);
        assertEquals(0, r.status(), "mknod of /dev/mem and of a disk was refused, the default devices worked: " + r);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aTaskThatExhaustsTheSharedMemoryLimitIsKilledAloneAndTheBatchGoesOn() throws Exception {
        // 32 MiB for the batch's tasks together, less than the runtime's own RSS: the launcher
        // threads are in the memory cgroup, but the OOM killer picks among its processes' leaders,
        // and the runtime's is not there
        Path b = template(", \"resources\": {\"memory\": {\"limit\": 33554432}}");
        Path file = Files.writeString(tmp.resolve("tasks"), """
                {"id": "hog", "args": ["busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"]}
                {"id": "after", "args": ["true"]}
                """);
        Cli.Result r = Cli.run("batch", "-b", b.toString(), "-j", "1", file.toString());
        assertEquals(1, r.status(), "the hog fails, so the batch does: " + r);
        Map<String, Matcher> byId = results(r.out());
        assertEquals("signal", byId.get("hog").group(3), byId.get("hog").group());
        assertEquals("9", byId.get("hog").group(4), "killed by the OOM killer: " + byId.get("hog").group());
        assertEquals("0", byId.get("after").group(4), "the batch went on: " + byId.get("after").group());
        assertTrue(r.err().contains("2 tasks, 1 failed"), r.err());
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aResourceTheHostRefusesStopsTheBatchNamingTheFieldAndLeavesNoCgroup() throws Exception {
        Path b = template(", \"resources\": {\"cpu\": {\"cpus\": \"4096\"}}");
        Path file = Files.writeString(tmp.resolve("tasks"), "{\"id\": \"one\"}\n");
        List<String> before = isthmusCgroups();
        Cli.Result r = Cli.run("batch", "-b", b.toString(), "-j", "1", file.toString());
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("linux.resources.cpu.cpus"), r.err());
        assertEquals("", r.out(), "no task ran");
        assertEquals(before, isthmusCgroups(), "no cgroup is left");
        RunIntegrationTest.assertNothingLeft(b);
    }

    /** The directories under every hierarchy's isthmus/ (where batch cgroups are made). */
    private static List<String> isthmusCgroups() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path dir = h.resolve("isthmus");
                if (Files.isDirectory(dir)) {
                    try (var s = Files.list(dir)) {
                        s.filter(Files::isDirectory).forEach(p -> out.add(p.toString()));
                    }
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    @Test
    void aTaskThatCannotStartDoesNotStopTheBatch() throws Exception {
        Path b = template();
        Path file = Files.writeString(tmp.resolve("tasks"), """
                {"id": "before", "args": ["true"]}
                {"id": "missing", "args": ["no-such-program"]}
                {"id": "after", "args": ["sh", "-c", "exit 0"]}
                """);
        Cli.Result r = Cli.run("batch", "-b", b.toString(), "-j", "1", file.toString());
        assertEquals(1, r.status(), r::toString);
        Map<String, Matcher> byId = results(r.out());
        assertEquals("0", byId.get("before").group(4));
        assertEquals("0", byId.get("after").group(4));
        assertEquals("127", byId.get("missing").group(4));
        assertTrue(byId.get("missing").group(6).contains("No such file or directory"), r::toString);
    }

    @Test
    void ctrlCStopsLaunchingAndLeavesNothingRunning() throws Exception {
        Path b = template();
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            tasks.append("{\"id\":\"s").append(i).append("\",\"args\":[\"sleep\",\"60\"]}\n");
        }
        Path file = Files.writeString(tmp.resolve("tasks"), tasks);
        Path out = tmp.resolve("results");
        Process p = Cli.builder("batch", "-b", b.toString(), "-j", "4", "--results", out.toString(), file.toString())
                .redirectInput(new File("/dev/null")).redirectError(tmp.resolve("err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Bundles.processesWithEnv("SECRET_TOKEN=hunter2").size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(4, Bundles.processesWithEnv("SECRET_TOKEN=hunter2").size(), "four tasks should be running");
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "batch did not stop after SIGINT");
        assertEquals(130, p.exitValue());
        Map<String, Matcher> byId = results(Files.readString(out));
        List<Matcher> interruptedRunning = byId.values().stream().filter(m -> m.group(7) != null && m.group(5) == null).toList();
        assertEquals(4, interruptedRunning.size(), "the four running tasks are reported as interrupted: " + byId.keySet());
        // sleep is pid 1 of its namespace and ignores SIGTERM, so the grace period ends in SIGKILL
        for (Matcher m : interruptedRunning) {
            assertEquals("signal", m.group(3), m.group());
            assertEquals("9", m.group(4), m.group());
        }
        assertTrue(byId.size() < 200 || byId.values().stream().anyMatch(m -> "not started".equals(m.group(6))),
                "launching stopped");
        assertFalse(Files.readString(tmp.resolve("err")).isEmpty());
        RunIntegrationTest.assertNothingLeft(b);
    }
}
