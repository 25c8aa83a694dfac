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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create, start, state, kill and delete through the CLI, on real containers (root, static busybox). */
class LifecycleIntegrationTest {

    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    private Path bundle(List<String> args) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        return Bundles.write(b, Bundles.config(args, "lc", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]", "", ""));
    }

    /** --state-mode for the CLI calls of a test (spec unless a test says otherwise). */
    private String mode = "spec";

    private Cli.Result cli(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "--root";
        all[1] = tmp.resolve("state").toString();
        all[2] = "--state-mode=" + mode;
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.runToFiles(tmp.resolve("out-" + args[0]), tmp.resolve("err-" + args[0]), all);
    }

    private String out(String verb) throws Exception {
        return Files.readString(tmp.resolve("out-" + verb)) + Files.readString(tmp.resolve("err-" + verb));
    }

    private String status(String id) throws Exception {
        assertEquals(0, cli("state", id).status(), out("state"));
        Matcher m = STATUS.matcher(out("state"));
        assertTrue(m.find(), out("state"));
        return m.group(1);
    }

    @Test
    void fullLifecycleAndTheStatusTable() throws Exception {
        lifecycleAndStatusTable();
    }

    @Test
    void bundleModePassesTheSameLifecycleWithItsStateInTheBundle() throws Exception {
        mode = "bundle";
        Path b = bundle(List.of("sleep", "60"));
        assertEquals(0, cli("create", "-b", b.toString(), "bm").status(), out("create"));
        assertTrue(Files.isSymbolicLink(tmp.resolve("state/bm")), "the root holds a link");
        assertTrue(Files.exists(b.resolve(".isthmus/state.json")) && Files.exists(b.resolve(".isthmus/config.json")),
                "state and config snapshot in the bundle");
        assertEquals(1, cli("create", "-b", b.toString(), "bm2").status(), "one container per bundle");
        assertEquals(0, cli("delete", "bm").status(), out("delete"));
        assertFalse(Files.exists(b.resolve(".isthmus")));
        lifecycleAndStatusTable();
    }

    @Test
    void killAllFindsADoubleForkedDaemonReparentedAwayFromInit() throws Exception {
        // no pid namespace: the daemon's parent is not the init, and pid 1 of the host adopts it
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Bundles.busyboxRootfs(b);
        }
        Bundles.write(b, Bundles.config(List.of("sh", "-c", "(sh -c 'sleep 300 &' &); exec sleep 300"), "lc", true,
                "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]", "", ""));
        assertEquals(0, cli("create", "-b", b.toString(), "df").status(), out("create"));
        assertEquals(0, cli("start", "df").status(), out("start"));
        Bundles.waitForContainerProcesses(2);
        assertEquals(0, cli("ps", "-f", "json", "df").status(), out("ps"));
        List<String> pids = List.of(out("ps").strip().replaceAll("[\\[\\] ]", "").split(","));
        assertEquals(2, pids.size(), "ps finds the init and the daemon: " + out("ps"));
        long daemon = Long.parseLong(pids.get(0).equals(statePid()) ? pids.get(1) : pids.get(0));
        long parent = ProcessHandle.of(daemon).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        assertTrue(parent != Long.parseLong(statePid()), "the daemon is not a child of the init");
        assertEquals(0, cli("kill", "-a", "df", "KILL").status(), out("kill"));
        Bundles.waitForContainerProcesses(0);
        assertEquals(0, cli("delete", "-f", "df").status(), out("delete"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    private String statePid() throws Exception {
        assertEquals(0, cli("state", "df").status());
        Matcher m = PID.matcher(out("state"));
        assertTrue(m.find());
        return m.group(1);
    }

    @Test
    void bundleModeFallsBackToTheRootForAReadOnlyBundle() throws Exception {
        mode = "bundle";
        Path b = bundle(List.of("true"));
        // a read-only bind mount of the bundle on itself, in this test JVM's mount namespace
        assertEquals(0, new ProcessBuilder("mount", "--bind", b.toString(), b.toString()).start().waitFor());
        try {
            assertEquals(0, new ProcessBuilder("mount", "-o", "remount,bind,ro", b.toString()).start().waitFor());
            assertEquals(0, cli("create", "-b", b.toString(), "ro").status(), out("create"));
            assertFalse(Files.isSymbolicLink(tmp.resolve("state/ro")), "state under the root");
            assertTrue(Files.exists(tmp.resolve("state/ro/state.json")));
            assertEquals("created", status("ro"));
            assertEquals(0, cli("delete", "ro").status(), out("delete"));
            assertFalse(Files.exists(tmp.resolve("state/ro")));
        } finally {
            new ProcessBuilder("umount", b.toString()).start().waitFor();
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    private void lifecycleAndStatusTable() throws Exception {
        Path b = bundle(List.of("sleep", "60"));
        Path pidFile = tmp.resolve("init.pid");
        assertEquals(0, cli("create", "-b", b.toString(), "--pid-file", pidFile.toString(), "c1").status(), out("create"));
        assertEquals("created", status("c1"));
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        Matcher pm = PID.matcher(out("state"));
        assertTrue(pm.find());
        assertEquals(pid, Integer.parseInt(pm.group(1)), "state and --pid-file agree");
        // The parked init is the small memfd image, not a copy of the JVM.
        assertTrue(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString().contains("memfd:isthmus-init"));
        long rssKiB = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        assertTrue(rssKiB >= 0 && rssKiB < 1024, "the parked init holds " + rssKiB + " KiB");

        assertEquals(0, cli("start", "c1").status(), out("start"));
        assertEquals("running", status("c1"));
        assertTrue(Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline")).startsWith("sleep"), "the init became the program");

        // refused: start when not created, delete when running; nothing changes
        assertEquals(1, cli("start", "c1").status());
        assertTrue(out("start").contains("it is running, not created"), out("start"));
        assertEquals(1, cli("delete", "c1").status());
        assertTrue(out("delete").contains("--force"), out("delete"));
        assertEquals("running", status("c1"));

        assertEquals(0, cli("kill", "c1", "KILL").status(), out("kill"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!status("c1").equals("stopped") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("stopped", status("c1"));
        assertEquals(1, cli("kill", "c1").status(), "kill on a stopped container is an error");
        assertTrue(out("kill").contains("stopped"), out("kill"));

        assertEquals(0, cli("delete", "c1").status(), out("delete"));
        assertFalse(Files.exists(tmp.resolve("state/c1")));
        assertEquals(1, cli("state", "c1").status());
        assertTrue(out("state").contains("does not exist"), out("state"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void deletingACreatedContainerEndsItsInitAndDuplicateIdsAreRefused() throws Exception {
        Path b = bundle(List.of("true"));
        assertEquals(0, cli("create", "-b", b.toString(), "c2").status(), out("create"));
        assertEquals(1, cli("create", "-b", b.toString(), "c2").status());
        assertTrue(out("create").contains("already exists"), out("create"));
        assertEquals("created", status("c2"));
        assertEquals(0, cli("delete", "c2").status(), out("delete"));
        assertFalse(Files.exists(tmp.resolve("state/c2")));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aCreateThatFailsLeavesNothing() throws Exception {
        Path b = bundle(List.of("true"));
        // a bind mount whose source does not exist fails in the child, after clone
        Bundles.write(b, Bundles.config(List.of("true"), "lc", true, "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]",
                ", {\"destination\": \"/mnt/x\", \"type\": \"bind\", \"source\": \"/no/such/source\", \"options\": [\"bind\"]}", ""));
        Cli.Result r = cli("create", "-b", b.toString(), "c3");
        assertEquals(1, r.status());
        assertTrue(out("create").contains("bind /no/such/source on /mnt/x: ENOENT"), out("create"));
        assertFalse(Files.exists(tmp.resolve("state/c3")), "no state left");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aMissingExecutableFailsCreateNamingItAndLeavesNothing() throws Exception {
        // issue #15 item 5: create and start exited 0 and the container just stopped; runc's
        // create fails naming the path
        Path b = bundle(List.of("/bin/nope"));
        assertEquals(1, cli("create", "-b", b.toString(), "m1").status());
        assertTrue(out("create").contains("exec /bin/nope: No such file or directory"), out("create"));
        assertFalse(Files.exists(tmp.resolve("state/m1")), "no state left");
        RunIntegrationTest.assertNothingLeft(b);
        // through $PATH (the bundle's PATH is /bin), and a name that is there but a directory
        Bundles.write(b, Bundles.config(List.of("nope"), "lc", true, Bundles.DEFAULT_NAMESPACES, "", ""));
        assertEquals(1, cli("create", "-b", b.toString(), "m2").status());
        assertTrue(out("create").contains("exec nope (searched $PATH /bin): No such file or directory"), out("create"));
        Bundles.write(b, Bundles.config(List.of("/bin"), "lc", true, Bundles.DEFAULT_NAMESPACES, "", ""));
        assertEquals(1, cli("create", "-b", b.toString(), "m3").status());
        assertTrue(out("create").contains("exec /bin: Permission denied"), out("create"));
        RunIntegrationTest.assertNothingLeft(b);
        // a program reached through an absolute symlink that only the container's root resolves
        Path only = Files.createDirectories(b.resolve("rootfs/opt/isthmus-only-in-the-rootfs"));
        Files.copy(b.resolve("rootfs/bin/busybox"), only.resolve("prog"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(b.resolve("rootfs/bin/linked"), Path.of("/opt/isthmus-only-in-the-rootfs/prog"));
        Bundles.write(b, Bundles.config(List.of("linked", "true"), "lc", true, Bundles.DEFAULT_NAMESPACES, "", ""));
        assertEquals(0, cli("create", "-b", b.toString(), "m4").status(), out("create"));
        assertEquals(0, cli("delete", "-f", "m4").status(), out("delete"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void startFailsWhenARacingDeleteKilledTheInitBeforeTheProgramRan() throws Exception {
        // issue #20: start wrote its byte into the exec FIFO, delete -f killed the init before it
        // read it, and start exited 0 for a program that never ran.
        Path b = bundle(List.of("sleep", "60"));
        assertEquals(0, cli("create", "-b", b.toString(), "r1").status(), out("create"));
        assertEquals(0, cli("state", "r1").status(), out("state"));
        Matcher m = PID.matcher(out("state"));
        assertTrue(m.find(), out("state"));
        String pid = m.group(1);
        // A stopped init cannot take the start byte: the race's window is held open.
        assertEquals(0, new ProcessBuilder("kill", "-STOP", pid).start().waitFor());
        Path fifo = tmp.resolve("state/r1/exec.fifo");
        Process start = Cli.builder("--root", tmp.resolve("state").toString(), "start", "r1")
                .redirectInput(new java.io.File("/dev/null"))
                .redirectOutput(tmp.resolve("out-start").toFile()).redirectError(tmp.resolve("err-start").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!holds(start.pid(), fifo) && start.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(start.isAlive(), "start waits for the program while the init is stopped: " + out("start"));
        Thread.sleep(200); // its write follows the open at once
        assertEquals(0, cli("delete", "-f", "r1").status(), out("delete"));
        assertTrue(start.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "start ended");
        assertEquals(1, start.exitValue(), out("start"));
        assertTrue(out("start").contains("container r1 did not start: its init was killed before the program ran"), out("start"));
        assertFalse(Files.exists(tmp.resolve("state/r1")));
        RunIntegrationTest.assertNothingLeft(b);

        // A program that ends at once was started: start tells it from a killed init.
        bundle(List.of("true"));
        assertEquals(0, cli("create", "-b", b.toString(), "r2").status(), out("create"));
        assertEquals(0, cli("start", "r2").status(), out("start"));
        assertEquals(0, cli("delete", "-f", "r2").status(), out("delete"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void execRefusesIssue20sBadValuesNamingTheOptionOrField() throws Exception {
        // issue #20: exec's options built the process in code, past ConfigValidator: -u 4294967295
        // ((uid_t)-1, "leave unchanged" to setresuid) or -u -1 ran the process as uid 0.
        Path b = bundle(List.of("sleep", "60"));
        assertEquals(0, cli("create", "-b", b.toString(), "x1").status(), out("create"));
        assertEquals(0, cli("start", "x1").status(), out("start"));
        assertEquals(1, cli("exec", "-u", "4294967295", "x1", "id", "-u").status(), out("exec"));
        assertTrue(out("exec").contains("exec: --user (uid): 4294967295 is (uid_t)-1"), out("exec"));
        assertEquals(1, cli("exec", "-u", "0:-1", "x1", "id", "-u").status(), out("exec"));
        assertTrue(out("exec").contains("exec: --user (gid): must be between 0 and 4294967294"), out("exec"));
        assertEquals(1, cli("exec", "-e", "NO_EQUALS_s3cr3t", "x1", "id", "-u").status(), out("exec"));
        assertTrue(out("exec").contains("exec: --env[0]: must be NAME=value") && !out("exec").contains("s3cr3t"), out("exec"));
        // a process.json goes through the config's validator
        Path pj = tmp.resolve("process.json");
        Files.writeString(pj, "{\"user\": {\"uid\": 4294967295, \"gid\": 0}, \"args\": [\"id\", \"-u\"], \"cwd\": \"/\"}");
        assertEquals(1, cli("exec", "-p", pj.toString(), "x1").status(), out("exec"));
        assertTrue(out("exec").contains("process.user.uid") && out("exec").contains("(uid_t)-1"), out("exec"));
        Files.writeString(pj, "{\"args\": [\"/bin/true\\u0000/../s3cr3t\"], \"cwd\": \"/\"}");
        assertEquals(1, cli("exec", "-p", pj.toString(), "x1").status(), out("exec"));
        assertTrue(out("exec").contains("process.args[0]") && out("exec").contains("NUL") && !out("exec").contains("s3cr3t"),
                out("exec"));
        Files.writeString(pj, "{\"args\": [\"id\", \"-u\"], \"env\": [\"PATH\"], \"cwd\": \"/\"}");
        assertEquals(1, cli("exec", "-p", pj.toString(), "x1").status(), out("exec"));
        assertTrue(out("exec").contains("process.env[0] (line") && out("exec").contains("must be NAME=value"), out("exec"));
        // --preserve-fds is checked as create's and run's is
        assertEquals(1, cli("exec", "--preserve-fds", "-1", "x1", "true").status(), out("exec"));
        assertTrue(out("exec").contains("isthmus: --preserve-fds: must be between 0 and 1048576"), out("exec"));
        // and a good id still works
        assertEquals(0, cli("exec", "-u", "5", "x1", "id", "-u").status(), out("exec"));
        assertEquals("5", Files.readString(tmp.resolve("out-exec")).strip());
        assertEquals(0, cli("delete", "-f", "x1").status(), out("delete"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    /** Whether process {@code pid} has {@code file} open. */
    private static boolean holds(long pid, Path file) throws java.io.IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void hooksRunInSpecOrderWithTheStateOnStdin() throws Exception {
        Path b = bundle(List.of("sleep", "60"));
        Path log = Files.createDirectories(tmp.resolve("hooklog"));
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rwxrwxrwx"));
        String hostLog = log.resolve("hooks").toString();
        // runtime-namespace hooks see the host's hostname; container ones "lc"; startContainer
        // resolves its path and its log in the container (the log dir is bind-mounted at /hooklog)
        String hooks = """
                , "hooks": {
                  "prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo prestart $(hostname) $(cat) >> %1$s"]}],
                  "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createRuntime $(hostname) >> %1$s"]}],
                  "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createContainer $(hostname) >> %1$s"]}],
                  "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo startContainer $(hostname) >> /hooklog/hooks"]}],
                  "poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo poststart $(hostname) >> %1$s"]}],
                  "poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "echo poststop $(cat) >> %1$s"], "timeout": 10}]
                }""".formatted(hostLog);
        String json = Bundles.config(List.of("sleep", "60"), "lc", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]",
                ", {\"destination\": \"/hooklog\", \"type\": \"bind\", \"source\": \"" + log + "\", \"options\": [\"rbind\"]}", "");
        json = json.substring(0, json.lastIndexOf('}')) + hooks + "}";
        Bundles.write(b, json);
        String host = java.net.InetAddress.getLocalHost().getHostName();
        assertEquals(0, cli("create", "-b", b.toString(), "h1").status(), out("create"));
        assertEquals(0, cli("start", "h1").status(), out("start"));
        assertEquals(0, cli("delete", "-f", "h1").status(), out("delete"));
        List<String> lines = Files.readAllLines(log.resolve("hooks"));
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("prestart " + host + " {"), lines.get(0));
        assertTrue(lines.get(0).contains("\"id\": \"h1\"") || lines.get(0).contains("\"id\":\"h1\""), "state JSON on stdin: " + lines.get(0));
        assertTrue(lines.get(0).contains("creating"), lines.get(0));
        assertEquals("createRuntime " + host, lines.get(1));
        assertEquals("createContainer lc", lines.get(2));
        assertEquals("startContainer lc", lines.get(3));
        assertEquals("poststart " + host, lines.get(4));
        assertTrue(lines.get(5).startsWith("poststop {") && lines.get(5).contains("stopped"), lines.get(5));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aFailingOrHangingCreateHookFailsCreateAndLeavesNothing() throws Exception {
        Path b = bundle(List.of("true"));
        String base = Bundles.config(List.of("true"), "lc", true, "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}]", "", "");
        String failing = base.substring(0, base.lastIndexOf('}'))
                + ", \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 3\"]}]}}";
        Bundles.write(b, failing);
        assertEquals(1, cli("create", "-b", b.toString(), "h2").status());
        assertTrue(out("create").contains("createRuntime hook /bin/sh: exited with 3"), out("create"));
        assertFalse(Files.exists(tmp.resolve("state/h2")));
        RunIntegrationTest.assertNothingLeft(b);

        String hanging = base.substring(0, base.lastIndexOf('}'))
                + ", \"hooks\": {\"prestart\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"60\"], \"timeout\": 1}]}}";
        Bundles.write(b, hanging);
        assertEquals(1, cli("create", "-b", b.toString(), "h3").status());
        assertTrue(out("create").contains("prestart hook /bin/sleep: timed out after 1 s"), out("create"));
        assertFalse(Files.exists(tmp.resolve("state/h3")));
        RunIntegrationTest.assertNothingLeft(b);
    }
}
