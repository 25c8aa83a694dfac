package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * isthmus as an unprivileged user (issue 17). The test runs as root, makes a real user with
 * useradd (Debian gives it subordinate ranges in /etc/subuid and /etc/subgid), copies this
 * build's class path where that user can read it, and runs every command as the user through
 * runuser, with an environment of its own ($XDG_RUNTIME_DIR a private directory). After each test
 * nothing may be left in $XDG_RUNTIME_DIR/isthmus, under /run/isthmus, or in any cgroup; at the
 * end the user's processes (podman's pause process) are killed by pid and the user is removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessIntegrationTest {

    private static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

    private String user;
    private long uid;
    private long gid;
    private Path top;
    private Path home;
    private Path xdg;
    private Path runtime;
    private Path bundle;
    private long subStart;
    private boolean userMade;

    @BeforeAll
    void makeUser() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: it makes a user with useradd and drops to it with runuser");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        assumeTrue(onPath("useradd") && onPath("userdel") && onPath("runuser"), "needs useradd, userdel and runuser (passwd, util-linux)");
        assumeTrue(Long.parseLong(Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).strip()) > 0,
                "user.max_user_namespaces is 0: this kernel allows no user namespaces");
        user = "isrl" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        top = Files.createTempDirectory("isthmus-rootless-");
        Files.setPosixFilePermissions(top, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = top.resolve("home");
        Cli.Result r = Cli.run(new ProcessBuilder("useradd", "-m", "-d", home.toString(), "-s", "/bin/sh", user)
                .redirectInput(new File("/dev/null")));
        assertEquals(0, r.status(), r::toString);
        userMade = true;
        uid = Long.parseLong(idOf("-u"));
        gid = Long.parseLong(idOf("-g"));
        subStart = subordinateStart(Path.of("/etc/subuid"));
        // The test run's class path may sit under root's home (~/.m2): copy it where the user can read it.
        Path cp = top.resolve("cp");
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = cp.resolve(i++ + "-" + src.getFileName());
            copyTree(src, dst);
            entries.add(dst.toString());
        }
        readableTree(top);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\nexport _JAVA_SR_SIGNUM=60\nexec '" + java + "' -Xrs -XX:+DisableAttachMechanism -XX:-MaxFDLimit -XX:+UseSerialGC "
                + "-XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp '" + String.join(":", entries)
                + "' dev.isthmus.cli.Main \"$@\"\n";
        runtime = Files.writeString(top.resolve("isthmus"), script);
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = top.resolve("xdg");
        Files.createDirectories(xdg);
        chown(xdg);
        Files.setPosixFilePermissions(xdg, PosixFilePermissions.fromString("rwx------"));
        bundle = home.resolve("bundle");
        Bundles.busyboxRootfs(bundle);
        chown(bundle);
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (!userMade) {
            return;
        }
        Path state = xdg.resolve("isthmus");
        if (!Files.isDirectory(state)) {
            return;
        }
        List<Path> left;
        try (Stream<Path> s = Files.list(state)) {
            left = s.toList();
        }
        for (Path p : left) { // a failed test's container: removed, and the failure reported below
            isthmus("--state-mode=" + (Files.exists(p.resolve("exec-options")) ? "exec" : "spec"), "delete", "-f",
                    p.getFileName().toString());
        }
        assertEquals(List.of(), left, "state left in $XDG_RUNTIME_DIR/isthmus");
    }

    @AfterAll
    void removeUser() throws Exception {
        if (!userMade) {
            return;
        }
        // podman's pause process and conmon outlive the commands: end them (and only them) by pid.
        for (int round = 0; round < 50 && !processesOf(uid).isEmpty(); round++) {
            for (long pid : processesOf(uid)) {
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
            }
            Thread.sleep(100);
        }
        Cli.Result r = Cli.run(new ProcessBuilder("userdel", "-r", user).redirectInput(new File("/dev/null")));
        deleteTree(top);
        assertEquals(List.of(), processesOf(uid), "processes of the test user left");
        assertTrue(r.status() == 0 || r.status() == 12, r::toString); // 12: the home was already gone
        assertFalse(Files.readString(Path.of("/etc/passwd")).contains(user + ":"), "user " + user + " left in /etc/passwd");
    }

    // ---- the tests ----

    @Test
    void specRootlessBundleRunsWithTheCallersOwnSingleMapping() throws Exception {
        String id = "rl-single";
        Files.deleteIfExists(bundle.resolve("config.json"));
        Cli.Result spec = asUser(bundle, List.of(runtime.toString(), "spec", "--rootless"));
        assertEquals(0, spec.status(), spec::toString);
        // Unchanged but for what a non-interactive run needs: its args and no terminal.
        editConfig("\"terminal\": true", "\"terminal\": false", argsOf("id; cat /proc/self/uid_map /proc/self/gid_map"));
        for (String mode : List.of("spec", "bundle", "exec")) {
            Cli.Result r = isthmus("--state-mode=" + mode, "run", id);
            assertEquals(0, r.status(), () -> mode + " mode: " + r);
            assertTrue(r.out().contains("uid=0(root) gid=0(root)"), () -> mode + " mode: " + r);
            assertTrue(r.out().replaceAll("\\s+", " ").contains("0 " + uid + " 1 0 " + gid + " 1"), () -> mode + " mode: " + r);
            if (mode.equals("exec")) {
                Cli.Result d = isthmus("--state-mode=exec", "delete", id); // no runtime is left to remove the record
                assertEquals(0, d.status(), d::toString);
            }
            assertFalse(Files.exists(bundle.resolve(".isthmus")), mode + " mode left state in the bundle");
            assertNothingOfRoot(id);
        }
    }

    @Test
    void aRangeOf65536IdsIsMappedThroughNewuidmap() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")) && Files.isExecutable(Path.of("/usr/bin/newgidmap")),
                "needs newuidmap and newgidmap (apt-get install uidmap)");
        assumeTrue(subStart > 0, "useradd gave the user no range in /etc/subuid");
        String id = "rl-range";
        writeRootlessConfig("id; cat /proc/self/uid_map", "\"user\": {\"uid\": 1000, \"gid\": 1000, \"additionalGids\": [5]}",
                "[{\"containerID\": 0, \"hostID\": " + uid + ", \"size\": 1}, {\"containerID\": 1, \"hostID\": " + subStart
                        + ", \"size\": 65536}]",
                "[{\"containerID\": 0, \"hostID\": " + gid + ", \"size\": 1}, {\"containerID\": 1, \"hostID\": " + subStart
                        + ", \"size\": 65536}]");
        Cli.Result r = isthmus("run", id);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("uid=1000 gid=1000 groups=5"), r::toString);
        assertTrue(r.out().replaceAll("\\s+", " ").contains("0 " + uid + " 1 1 " + subStart + " 65536"), r::toString);
        assertNothingOfRoot(id);
    }

    @Test
    void idsTheUserWasNotGrantedAreRefusedNamingTheFieldAndRange() throws Exception {
        String id = "rl-notgranted";
        long outside = subStart + 10_000_000;
        writeRootlessConfig("true", "\"user\": {\"uid\": 0, \"gid\": 0}",
                "[{\"containerID\": 0, \"hostID\": " + uid + ", \"size\": 1}, {\"containerID\": 1, \"hostID\": " + outside
                        + ", \"size\": 10}]",
                "[{\"containerID\": 0, \"hostID\": " + gid + ", \"size\": 1}]");
        Cli.Result r = isthmus("run", id);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("linux.uidMappings[1]") && r.err().contains(outside + "-" + (outside + 9))
                && r.err().contains("/etc/subuid"), r::toString);
        Cli.Result c = isthmus("create", id);
        assertEquals(1, c.status(), c::toString);
        assertNothingOfRoot(id);
    }

    @Test
    void createStartStateExecKillDeleteAsThePlainUser() throws Exception {
        String id = "rl-life";
        writeRootlessConfig("sleep 100", "\"user\": {\"uid\": 0, \"gid\": 0}", ownMap(uid), ownMap(gid));
        Path out = top.resolve("create.out");
        Cli.Result c = asUserToFiles(out, List.of(runtime.toString(), "create", id));
        assertEquals(0, c.status(), c::toString);
        assertTrue(isthmus("state", id).out().contains("\"status\": \"created\""));
        Cli.Result s = isthmus("start", id);
        assertEquals(0, s.status(), s::toString);
        assertTrue(isthmus("state", id).out().contains("\"status\": \"running\""));
        Cli.Result ps = isthmus("ps", id);
        assertTrue(ps.out().contains("sleep 100"), ps::toString);
        // No writable cgroup (runuser leaves the user in root's): nothing to freeze, said so
        Cli.Result pause = isthmus("pause", id);
        assertEquals(1, pause.status(), pause::toString);
        assertTrue(pause.err().contains("no cgroup recorded") && pause.err().contains("rootless"), pause::toString);
        // exec: forked inside the container's user namespace into its pid namespace (not pid 1: the init is)
        Cli.Result ex = isthmus("exec", id, "sh", "-c", "echo pid $$; cat /proc/self/uid_map; exit 5");
        assertEquals(5, ex.status(), ex::toString);
        assertTrue(ex.out().contains("pid 2\n"), ex::toString);
        assertTrue(ex.out().replaceAll("\\s+", " ").contains("0 " + uid + " 1"), ex::toString);
        Cli.Result missing = isthmus("exec", id, "/no/such/program");
        assertEquals(1, missing.status(), missing::toString);
        assertTrue(missing.err().contains("exec /no/such/program: No such file or directory"), missing::toString);
        Cli.Result k = isthmus("kill", id, "KILL");
        assertEquals(0, k.status(), k::toString);
        String status = "";
        for (int i = 0; i < 100 && !status.contains("\"status\": \"stopped\""); i++) {
            Thread.sleep(50);
            status = isthmus("state", id).out();
        }
        assertTrue(status.contains("\"status\": \"stopped\""), status);
        Cli.Result d = isthmus("delete", id);
        assertEquals(0, d.status(), d::toString);
        assertNothingOfRoot(id);
    }

    @Test
    void batchRunsTasksAsThePlainUser() throws Exception {
        writeRootlessConfig("true", "\"user\": {\"uid\": 0, \"gid\": 0}", ownMap(uid), ownMap(gid));
        Path tasks = home.resolve("tasks.jsonl");
        Files.writeString(tasks, "{\"id\": \"t1\", \"args\": [\"sh\", \"-c\", \"test $(id -u) = 0\"]}\n"
                + "{\"id\": \"t2\", \"args\": [\"sh\", \"-c\", \"exit 3\"]}\n");
        chown(tasks);
        Cli.Result r = isthmus("batch", "-b", bundle.toString(), tasks.toString());
        assertEquals(1, r.status(), r::toString); // one task exited 3
        assertTrue(r.out().contains("\"id\":\"t1\"") && r.out().matches("(?s).*\"id\":\"t1\",\"pid\":\\d+,\"exit\":0.*"), r::toString);
        assertTrue(r.out().matches("(?s).*\"id\":\"t2\",\"pid\":\\d+,\"exit\":3.*"), r::toString);
    }

    @Test
    void execModeRunsAsThePlainUser() throws Exception {
        String id = "rl-execmode";
        writeRootlessConfig("id; echo pid $$", "\"user\": {\"uid\": 0, \"gid\": 0}", ownMap(uid), ownMap(gid));
        Cli.Result r = isthmus("--state-mode=exec", "run", id);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("uid=0(root) gid=0(root)"), r::toString);
        Cli.Result d = isthmus("--state-mode=exec", "delete", id);
        assertEquals(0, d.status(), d::toString);
        assertNothingOfRoot(id);
    }

    @Test
    void aLimitWithoutAWritableCgroupIsRefusedNamingTheField() throws Exception {
        // runuser leaves the user in root's cgroup, which no host delegates to a plain user.
        String id = "rl-limit";
        writeRootlessConfig("true", "\"user\": {\"uid\": 0, \"gid\": 0}", ownMap(uid), ownMap(gid));
        editConfig("\"linux\": {", "\"linux\": {\"resources\": {\"memory\": {\"limit\": 104857600}},");
        Cli.Result r = isthmus("run", id);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("linux.resources.memory.limit") && r.err().contains("rootless"), r::toString);
        assertNothingOfRoot(id);
    }

    @Test
    void aDelegatedCgroupV2SubtreeIsUsed() throws Exception {
        Path v2 = cgroup2Mount();
        assumeTrue(v2 != null, "no cgroup2 hierarchy mounted");
        // As systemd delegates a user's service: a directory of its own, its cgroup.procs,
        // cgroup.threads and cgroup.subtree_control chowned to the user; root moves the user's shell in.
        Path delegated = v2.resolve("isthmus-rl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        Files.createDirectory(delegated);
        String id = "rl-cgroup";
        Path flag = top.resolve("in-cgroup");
        try {
            for (String f : List.of("", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control")) {
                Cli.Result c = Cli.run(new ProcessBuilder("chown", uid + ":" + gid, delegated.resolve(f).toString())
                        .redirectInput(new File("/dev/null")));
                assertEquals(0, c.status(), c::toString);
            }
            writeRootlessConfig("cat /proc/self/cgroup", "\"user\": {\"uid\": 0, \"gid\": 0}", ownMap(uid), ownMap(gid));
            Path out = top.resolve("cgroup.out");
            String waitThenRun = "while [ ! -e " + flag + " ]; do sleep 0.05; done; exec " + runtime + " run " + id;
            Process p = userProcess(bundle, List.of("sh", "-c", waitThenRun), true).redirectOutput(out.toFile())
                    .redirectErrorStream(true).start();
            long shell = childOf(p.pid());
            Files.writeString(delegated.resolve("cgroup.procs"), Long.toString(shell));
            Files.writeString(flag, "");
            assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "isthmus run did not finish");
            String printed = Files.readString(out);
            assertEquals(0, p.exitValue(), printed);
            String inV2 = "0::/" + delegated.getFileName() + "/isthmus/" + id;
            assertTrue(printed.lines().anyMatch(l -> l.equals(inV2)), () -> "expected " + inV2 + " in\n" + printed);
            assertFalse(Files.exists(delegated.resolve("isthmus").resolve(id)), "the container's cgroup was removed");
            assertNothingOfRoot(id);
        } finally {
            try (Stream<Path> s = Files.walk(delegated)) {
                for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(d); // rmdir: empty once the run has ended
                }
            }
        }
    }

    @Test
    void withoutXdgRuntimeDirTheErrorNamesTheVariable() throws Exception {
        Cli.Result r = asUser(home, List.of(runtime.toString(), "state", "x"), false);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("XDG_RUNTIME_DIR") && r.err().contains("--root"), r::toString);
        assertFalse(r.err().contains("/run/isthmus"), r::toString);
    }

    @Test
    void rootlessPodmanRunsExecsStopsAndRemoves() throws Exception {
        assumeTrue(onPath("podman"), "podman not installed (apt-get install podman)");
        String rootfs = bundle.resolve("rootfs").toString();
        List<String> run = podman("run", "--rm", "--network", "none");
        run.addAll(ULIMITS);
        run.addAll(List.of("--rootfs", rootfs, "sh", "-c", "echo hello from rootless podman; exit 3"));
        Cli.Result r = asUser(home, run);
        assertEquals(3, r.status(), r::toString);
        assertEquals("hello from rootless podman\n", r.out(), r::toString);

        String name = "rl" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        List<String> detached = podman("run", "-d", "--name", name, "--network", "none");
        detached.addAll(ULIMITS);
        detached.addAll(List.of("--rootfs", rootfs, "sleep", "100"));
        Path out = top.resolve("podman-d.out");
        Cli.Result d = asUserToFiles(out, detached);
        assertEquals(0, d.status(), d::toString);
        String fullId = d.out().strip();
        assertTrue(fullId.matches("[0-9a-f]{64}"), d::toString);
        Cli.Result e = asUser(home, podman("exec", name, "sh", "-c", "echo in exec; exit 4"));
        assertEquals(4, e.status(), e::toString);
        assertEquals("in exec\n", e.out(), e::toString);
        Cli.Result stop = asUser(home, podman("stop", "-t", "1", name));
        assertEquals(0, stop.status(), stop::toString);
        Cli.Result rm = asUser(home, podman("rm", name));
        assertEquals(0, rm.status(), rm::toString);
        assertFalse(Files.exists(Path.of("/run/isthmus", fullId)), "state under /run/isthmus");
        assertEquals(List.of(), cgroupsNaming(fullId), "cgroups made for the podman container");
    }

    @Test
    void rootlessBuildahBudRunsTwoRunSteps() throws Exception {
        assumeTrue(onPath("buildah"), "buildah not installed (apt-get install buildah)");
        Path ctx = home.resolve("ctx");
        Files.createDirectories(ctx);
        copyTree(bundle.resolve("rootfs"), ctx.resolve("rootfs"));
        Files.writeString(ctx.resolve("Containerfile"), "FROM scratch\nCOPY rootfs/ /\nRUN echo one > /one\nRUN cat /one && echo two\n");
        chown(ctx);
        String tag = "localhost/isthmus-rootless-bud";
        List<String> bud = new ArrayList<>(List.of("buildah", "--runtime", runtime.toString(), "bud", "--network", "none"));
        bud.addAll(ULIMITS);
        bud.addAll(List.of("-t", tag, ctx.toString()));
        Cli.Result r = asUser(home, bud);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("one\ntwo\n"), r::toString);
        asUser(home, List.of("buildah", "rmi", tag));
        assertNoRootState();
    }

    // ---- helpers ----

    private List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", runtime.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Cli.Result isthmus(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(runtime.toString()));
        cmd.addAll(List.of(args));
        return asUser(bundle, cmd);
    }

    private ProcessBuilder userProcess(Path dir, List<String> cmd, boolean withXdg) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "USER=" + user,
                "LOGNAME=" + user, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
        if (withXdg) {
            full.add("XDG_RUNTIME_DIR=" + xdg);
        }
        full.addAll(cmd);
        return new ProcessBuilder(full).directory(dir.toFile()).redirectInput(new File("/dev/null"));
    }

    private Cli.Result asUser(Path dir, List<String> cmd) throws Exception {
        return asUser(dir, cmd, true);
    }

    private Cli.Result asUser(Path dir, List<String> cmd, boolean withXdg) throws Exception {
        return Cli.run(userProcess(dir, cmd, withXdg));
    }

    /** For commands that leave a process holding their stdout (create, podman run -d): output to a file. */
    private Cli.Result asUserToFiles(Path out, List<String> cmd) throws Exception {
        Path err = Path.of(out + ".err");
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        Cli.Result r = Cli.run(userProcess(bundle, cmd, true).redirectOutput(out.toFile()).redirectError(err.toFile()));
        return new Cli.Result(r.status(), Files.readString(out), Files.readString(err));
    }

    /** A config as `spec --rootless` writes it, running {@code script} with {@code user} and these maps. */
    private void writeRootlessConfig(String script, String userJson, String uidMaps, String gidMaps) throws Exception {
        String config = """
                {
                  "ociVersion": "1.2.0",
                  "process": {"terminal": false, %s, "args": ["sh", "-c", %s], "env": ["PATH=/bin"], "cwd": "/",
                    "noNewPrivileges": true},
                  "root": {"path": "rootfs", "readonly": true},
                  "hostname": "rootless",
                  "mounts": [
                    {"destination": "/proc", "type": "proc", "source": "proc"},
                    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                    {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}
                  ],
                  "linux": {
                    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"}],
                    "uidMappings": %s,
                    "gidMappings": %s
                  }
                }
                """.formatted(userJson, jsonString(script), uidMaps, gidMaps);
        Files.writeString(bundle.resolve("config.json"), config);
        chown(bundle.resolve("config.json"));
    }

    private static String jsonString(String s) {
        String array = Bundles.json(List.of(s));
        return array.substring(1, array.length() - 1);
    }

    private static String ownMap(long id) {
        return "[{\"containerID\": 0, \"hostID\": " + id + ", \"size\": 1}]";
    }

    private static String argsOf(String script) {
        return "\"args\": " + Bundles.json(List.of("sh", "-c", script));
    }

    /** Replaces text in the bundle's config.json: pairs of (old, new), and an `"args": [...]` replacement last when odd. */
    private void editConfig(String... edits) throws IOException {
        Path f = bundle.resolve("config.json");
        String c = Files.readString(f);
        int i = 0;
        for (; i + 1 < edits.length; i += 2) {
            assertTrue(c.contains(edits[i]), () -> "config.json lacks " + f);
            c = c.replace(edits[i], edits[i + 1]);
        }
        if (i < edits.length) {
            c = c.replaceFirst("\"args\"\\s*:\\s*\\[[^\\]]*\\]", java.util.regex.Matcher.quoteReplacement(edits[i]));
        }
        Files.writeString(f, c);
    }

    /** Nothing of container {@code id} in root's state or in any cgroup; nothing in the user's state root. */
    private void assertNothingOfRoot(String id) throws IOException {
        assertFalse(Files.exists(Path.of("/run/isthmus", id)), "state under /run/isthmus");
        assertEquals(List.of(), cgroupsNamed(id), "cgroups made for " + id);
        assertNoRootState();
    }

    private void assertNoRootState() throws IOException {
        Path state = xdg.resolve("isthmus");
        if (Files.isDirectory(state)) {
            try (Stream<Path> s = Files.list(state)) {
                assertEquals(List.of(), s.toList(), "state left in $XDG_RUNTIME_DIR/isthmus");
            }
        }
    }

    /** Directories named {@code name} in any cgroup hierarchy, a few levels down (where isthmus would make them). */
    private static List<Path> cgroupsNamed(String name) throws IOException {
        return cgroupsWhere(n -> n.equals(name));
    }

    /** Directories whose name holds {@code id} (podman's libpod-ID.scope and the like). */
    private static List<Path> cgroupsNaming(String id) throws IOException {
        return cgroupsWhere(n -> n.contains(id));
    }

    private static List<Path> cgroupsWhere(java.util.function.Predicate<String> name) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("/sys/fs/cgroup"), 5)) {
            s.filter(p -> p.getFileName() != null && name.test(p.getFileName().toString()) && Files.isDirectory(p)).forEach(found::add);
        } catch (java.io.UncheckedIOException e) {
            // a cgroup removed during the walk
        }
        return found;
    }

    private String idOf(String flag) throws Exception {
        Cli.Result r = Cli.run(new ProcessBuilder("id", flag, user).redirectInput(new File("/dev/null")));
        assertEquals(0, r.status(), r::toString);
        return r.out().strip();
    }

    private long subordinateStart(Path file) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(":");
            if (f.length == 3 && f[0].equals(user) && Long.parseLong(f[2]) >= 65536) {
                return Long.parseLong(f[1]);
            }
        }
        return -1;
    }

    private void chown(Path p) throws Exception {
        Cli.Result r = Cli.run(new ProcessBuilder("chown", "-R", uid + ":" + gid, p.toString()).redirectInput(new File("/dev/null")));
        assertEquals(0, r.status(), r::toString);
    }

    private static List<Long> processesOf(long uid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    for (String l : Files.readAllLines(p.resolve("status"))) {
                        if (l.startsWith("Uid:") && Long.parseLong(l.substring(4).trim().split("\\s+")[0]) == uid) {
                            out.add(Long.parseLong(p.getFileName().toString()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        return out;
    }

    /** The mount point of the cgroup2 hierarchy (pure v2 or hybrid), or null. */
    private static Path cgroup2Mount() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = l.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash > 0 && dash + 1 < f.length && f[dash + 1].equals("cgroup2")) {
                return Path.of(f[4]);
            }
        }
        return null;
    }

    /** The (only) child of process {@code pid}: runuser's command; waits for it to appear. */
    private static long childOf(long pid) throws Exception {
        Path children = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
        for (int i = 0; i < 200; i++) {
            String c = Files.readString(children).strip();
            if (!c.isEmpty()) {
                return Long.parseLong(c.split("\\s+")[0]);
            }
            Thread.sleep(25);
        }
        throw new AssertionError("runuser started no command");
    }

    private static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return;
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.LinkOption.NOFOLLOW_LINKS, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void readableTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean dir = Files.isDirectory(p);
                boolean exec = dir || Files.isExecutable(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
