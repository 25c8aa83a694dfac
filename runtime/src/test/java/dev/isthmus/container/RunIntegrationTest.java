package dev.isthmus.container;

import static dev.isthmus.testing.Bundles.DEFAULT_NAMESPACES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `isthmus run` on real containers. Needs root and a static busybox (apt: busybox-static). */
class RunIntegrationTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static) for the test rootfs");
    }

    private Path bundle(List<String> args, String hostname, boolean readonly, String namespaces, String mounts, String linux)
            throws IOException {
        Path b = tmp.resolve("bundle");
        Bundles.busyboxRootfs(b);
        // @TempDir is 0700: root of a user namespace (another host uid) could not reach the rootfs.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return Bundles.write(b, Bundles.config(args, hostname, readonly, namespaces, mounts, linux));
    }

    private Cli.Result run(Path bundle) throws Exception {
        return Cli.run("run", "-b", bundle.toString(), "t" + ProcessHandle.current().pid());
    }

    @Test
    void propagatesOutputAndExitCode() throws Exception {
        Path b = bundle(List.of("sh", "-c", "echo hello from $(hostname); echo err >&2; exit 3"), "box", false, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = run(b);
        assertEquals(3, r.status(), r::toString);
        assertEquals("hello from box\n", r.out(), r::toString);
        assertTrue(r.err().contains("err"), r::toString);
    }

    @Test
    void initIsPidOneInANewPidNamespace() throws Exception {
        Path b = bundle(List.of("sh", "-c", "echo $$; ls /proc > /dev/procs; grep -c '^[0-9]' /dev/procs"), "box", false, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals("1", lines.get(0), r::toString);
        assertEquals("2", lines.get(1), "only sh and ls are in the new pid namespace while ls lists it: " + r);
    }

    @Test
    void setsTheHostname() throws Exception {
        Path b = bundle(List.of("hostname"), "isthmus-test", false, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        assertEquals("isthmus-test\n", r.out());
    }

    @Test
    void readonlyRootRefusesWrites() throws Exception {
        Path b = bundle(List.of("touch", "/newfile"), "box", true, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = run(b);
        assertNotEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("Read-only file system"), r::toString);
        assertFalse(Files.exists(b.resolve("rootfs/newfile")));
    }

    @Test
    void mountsATmpfsAndABindMount() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("greeting"), "from the host\n");
        String mounts = """
                , {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]},
                  {"destination": "/mnt/data", "type": "bind", "source": "%s", "options": ["rbind", "ro"]}
                """.formatted(data);
        Path b = bundle(List.of("sh", "-c", "cat /mnt/data/greeting; grep -c ' /scratch tmpfs ' /proc/mounts; "
                + "touch /scratch/ok && echo scratch writable; touch /mnt/data/x || echo data read-only"),
                "box", false, DEFAULT_NAMESPACES, mounts, "");
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("from the host", "1", "scratch writable", "data read-only"), r.out().lines().toList(), r::toString);
        assertFalse(Files.exists(data.resolve("x")));
    }

    @Test
    void userNamespaceWithAMapping() throws Exception {
        String ns = """
                [{"type": "user"}, {"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network"}]""";
        String linux = """
                , "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]
                """;
        Path b = bundle(List.of("sh", "-c", "id -u; cat /proc/self/uid_map; echo $$"), "box", false, ns, "", linux);
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        List<String> lines = r.out().lines().map(String::strip).toList();
        assertEquals("0", lines.get(0), r::toString);
        assertEquals(List.of("0", "100000", "65536"), List.of(lines.get(1).split("\\s+")), r::toString);
        assertEquals("1", lines.get(2), r::toString);
    }

    @Test
    void missingBinaryNamesThePathExits127AndLeavesNothing() throws Exception {
        Path b = bundle(List.of("/bin/no-such-program"), "box", false, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = run(b);
        assertEquals(127, r.status(), r::toString);
        assertTrue(r.err().contains("exec /bin/no-such-program: No such file or directory"), r::toString);
        assertNothingLeft(b);

        Bundles.write(b, Bundles.config(List.of("no-such-program"), "box", false, DEFAULT_NAMESPACES, "", ""));
        r = run(b);
        assertEquals(127, r.status(), r::toString);
        assertTrue(r.err().contains("no-such-program") && r.err().contains("No such file or directory"), r::toString);
        assertNothingLeft(b);
    }

    @Test
    void badConfigIsAClearErrorAndLeavesNothing() throws Exception {
        Path b = bundle(List.of("true"), "box", false, DEFAULT_NAMESPACES, "", "");
        Files.writeString(b.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"process\": ");
        Cli.Result r = run(b);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("config.json"), r::toString);
        assertNothingLeft(b);
    }

    @Test
    void forwardsSigtermAndReportsTheSignal() throws Exception {
        // No pid namespace: its init would ignore SIGTERM without a handler (pid_namespaces(7)).
        Path b = bundle(List.of("sleep", "60"), "box", false, "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]", "", "");
        Process p = Cli.builder("run", "-b", b.toString(), "sig").redirectInput(new File("/dev/null")).start();
        Path pidFileless = b.resolve("rootfs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (childrenOf(p.pid()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Long> kids = childrenOf(p.pid());
        assertFalse(kids.isEmpty(), "the container did not start");
        // Wait until the child has exec'd sleep, then signal the runtime, not the container.
        while (!ProcessHandle.of(kids.getFirst()).flatMap(h -> h.info().command()).orElse("").endsWith("busybox")
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Runtime.getRuntime().exec(new String[] {"kill", "-TERM", Long.toString(p.pid())}).waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "isthmus run did not end after SIGTERM");
        assertEquals(128 + 15, p.exitValue());
        assertNothingLeft(pidFileless.getParent());
    }

    @Test
    void runRecordsItsStateAndKeepLeavesItStopped() throws Exception {
        Path b = bundle(List.of("sh", "-c", "exit 4"), "box", false, DEFAULT_NAMESPACES, "", "");
        String root = tmp.resolve("state").toString();
        Cli.Result r = Cli.run("--root", root, "run", "--keep", "-b", b.toString(), "kept");
        assertEquals(4, r.status(), r::toString);
        r = Cli.run("--root", root, "state", "kept");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().replace(" ", "").contains("\"status\":\"stopped\""), r::toString);
        assertEquals(0, Cli.run("--root", root, "delete", "kept").status());
        r = Cli.run("--root", root, "run", "-b", b.toString(), "not-kept");
        assertEquals(4, r.status(), r::toString);
        assertFalse(Files.exists(tmp.resolve("state/not-kept")), "without --keep the state goes with the container");
    }

    @Test
    void writesThePidFile() throws Exception {
        Path b = bundle(List.of("sh", "-c", "exit 0"), "box", false, DEFAULT_NAMESPACES, "", "");
        Path pidFile = tmp.resolve("run.pid");
        Cli.Result r = Cli.run("run", "-b", b.toString(), "--pid-file", pidFile.toString(), "pf");
        assertEquals(0, r.status(), r::toString);
        assertTrue(Integer.parseInt(Files.readString(pidFile).strip()) > 1);
    }

    @Test
    void dryRunPrintsThePlanWithoutSecrets() throws Exception {
        Path b = bundle(List.of("sh", "-c", "true"), "box", true, DEFAULT_NAMESPACES, "", "");
        Cli.Result r = Cli.run("run", "--dry-run", "-b", b.toString(), "dry");
        assertEquals(0, r.status(), r::toString);
        String out = r.out();
        assertTrue(out.startsWith("clone3({flags=CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWUTS})"), out);
        // targets are resolved in the rootfs (openat2 relative to its fd), and mounts act on the result
        assertTrue(out.contains("openat(AT_FDCWD, \"" + b.toRealPath() + "/rootfs\", O_PATH|O_DIRECTORY|O_CLOEXEC, 0) -> $"), out);
        assertTrue(out.contains("\"proc\", {flags=O_PATH|O_DIRECTORY|O_CLOEXEC, resolve=RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS}, 24)"), out);
        assertTrue(out.contains("mount(\"proc\", \".\", \"proc\""), out);
        assertTrue(out.contains("pivot_root(\".\", \".\")"), out);
        assertTrue(out.contains("execve(\"/bin/sh\", [\"sh\", \"-c\", \"true\"], [\"PATH=...\", \"SECRET_TOKEN=...\"])"), out);
        assertTrue(out.contains(", \"dev\", 0755)") && out.indexOf(", \"dev\", 0755)") == out.lastIndexOf(", \"dev\", 0755)"),
                "each directory is made once: " + out);
        assertFalse(out.contains("hunter2"), "environment values must not be printed");
        assertNothingLeft(b);
    }

    /** A bundle whose config has {@code hooks} (a JSON object) and bind-mounts a world-writable log dir at /hooklog. */
    private Path bundleWithHooks(List<String> args, Path log, String hooks) throws IOException {
        Files.createDirectories(log);
        Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path b = bundle(args, "box", true, "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}]", "", "");
        String json = Bundles.config(args, "box", true, "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}]",
                ", {\"destination\": \"/hooklog\", \"type\": \"bind\", \"source\": \"" + log + "\", \"options\": [\"rbind\"]}", "");
        return Bundles.write(b, json.substring(0, json.lastIndexOf('}')) + ", \"hooks\": " + hooks + "}");
    }

    @Test
    void foregroundRunRunsEveryHookInSpecOrder() throws Exception {
        // issue #20: foreground run ran no hooks at all, while run -d and create/start ran them.
        Path log = tmp.resolve("hooklog");
        String f = log.resolve("hooks").toString();
        // a failing poststart and poststop hook only warn; the next hook of the list still runs
        String hooks = """
                {
                  "prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo prestart $(hostname) $(cat) >> %1$s"]}],
                  "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createRuntime $(hostname) >> %1$s"]}],
                  "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createContainer $(hostname) >> %1$s"]}],
                  "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo startContainer $(hostname) >> /hooklog/hooks"]}],
                  "poststart": [{"path": "/bin/false"}, {"path": "/bin/sh", "args": ["sh", "-c", "echo poststart >> %1$s"]}],
                  "poststop": [{"path": "/no/such/hook"}, {"path": "/bin/sh", "args": ["sh", "-c", "echo poststop $(cat) >> %1$s"]}]
                }""".formatted(f);
        Path b = bundleWithHooks(List.of("sh", "-c", "echo program >> /hooklog/hooks; exit 5"), log, hooks);
        String root = tmp.resolve("state").toString();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Cli.Result r = Cli.run("--root", root, "run", "-b", b.toString(), "hk");
        assertEquals(5, r.status(), r::toString);
        List<String> lines = Files.readAllLines(log.resolve("hooks"));
        assertEquals(7, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("prestart " + host + " {") && lines.get(0).replace(" ", "").contains("\"id\":\"hk\"")
                && lines.get(0).contains("creating"), lines.get(0));
        assertEquals("createRuntime " + host, lines.get(1));
        assertEquals("createContainer box", lines.get(2));
        assertEquals("startContainer box", lines.get(3));
        // the program and poststart run at the same time, after startContainer
        assertEquals(List.of("poststart", "program"), lines.subList(4, 6).stream().sorted().toList(), String.join("\n", lines));
        assertTrue(lines.get(6).startsWith("poststop {") && lines.get(6).contains("stopped"), lines.get(6));
        assertTrue(r.err().contains("warning: poststart hook /bin/false: exited with 1"), r::toString);
        assertTrue(r.err().contains("warning: poststop hook /no/such/hook"), r::toString);
        assertFalse(Files.exists(tmp.resolve("state/hk")), "no state left");
        assertNothingLeft(b);
    }

    @Test
    void aMissingOrFailingCreateOrStartHookFailsTheRunAndLeavesNothing() throws Exception {
        // issue #20: a missing prestart hook still gave exit 0 and ran the program.
        Path log = tmp.resolve("hooklog");
        String f = log.resolve("hooks").toString();
        String root = tmp.resolve("state").toString();
        List<String> program = List.of("sh", "-c", "echo program >> /hooklog/hooks");
        String poststop = "\"poststop\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo poststop >> " + f + "\"]}]";
        List<List<String>> cases = List.of(
                List.of("{\"prestart\": [{\"path\": \"/no/such/hook\"}], " + poststop + "}", "prestart hook /no/such/hook: "),
                List.of("{\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 3\"]}], " + poststop + "}",
                        "createRuntime hook /bin/sh: exited with 3"),
                List.of("{\"createContainer\": [{\"path\": \"/bin/false\"}], " + poststop + "}", "createContainer hook /bin/false: exited with 1"),
                List.of("{\"startContainer\": [{\"path\": \"/bin/false\"}], " + poststop + "}", "startContainer hook /bin/false: exited with 1"));
        for (List<String> c : cases) {
            Files.deleteIfExists(log.resolve("hooks"));
            if (Files.exists(tmp.resolve("bundle"))) {
                try (var w = Files.walk(tmp.resolve("bundle"))) {
                    for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Path b = bundleWithHooks(program, log, c.get(0));
            Cli.Result r = Cli.run("--root", root, "run", "-b", b.toString(), "hf");
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains(c.get(1)), r::toString);
            List<String> lines = Files.exists(log.resolve("hooks")) ? Files.readAllLines(log.resolve("hooks")) : List.of();
            assertFalse(lines.contains("program"), "the program did not run: " + lines);
            // as create + start + delete: a failed create runs no poststop, a failed start does at the delete
            assertEquals(c.get(1).startsWith("startContainer") ? List.of("poststop") : List.of(), lines, r::toString);
            assertFalse(Files.exists(tmp.resolve("state/hf")), "no state left");
            assertNothingLeft(b);
        }
    }

    private static List<Long> childrenOf(long pid) {
        return ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /**
     * No mount under the bundle in this namespace, and no process left that carries the test
     * containers' environment marker (every test config sets SECRET_TOKEN=hunter2).
     */
    static void assertNothingLeft(Path bundle) throws IOException {
        Path real = bundle.toRealPath();
        assertEquals(List.of(), Bundles.mountsUnder(real), "mounts left under " + real);
        assertEquals(List.of(), Bundles.processesWithEnv("SECRET_TOKEN=hunter2"), "container processes left running");
    }
}
