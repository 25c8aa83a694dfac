package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One regression test per class of container-breakout CVE that hit runc, run against real
 * containers, with the effect read from inside the container where possible and from the host
 * where the harm would land. Needs root and a static busybox.
 *
 * <ul>
 * <li>CVE-2019-16884 / CVE-2021-30465: a mount destination that is (or races to become) a
 *     symlink out of the rootfs;</li>
 * <li>CVE-2024-21626: an fd or cwd of the runtime's reaching the container;</li>
 * <li>CVE-2019-5736: the container overwriting the runtime's executable through /proc/PID/exe;</li>
 * <li>the exec window: a container process sweeping /proc for the runtime's child (a CLONE_VM
 *     clone of the JVM) to open its memory, trace it or reopen its fds (procsweep.c);</li>
 * <li>CVE-2024-21626 through the executable: args[0] or PATH naming /proc/self/fd/N;</li>
 * <li>CVE-2025-31133 / CVE-2025-52565: a rootfs whose /dev/null or /dev/console is a symlink to a
 *     host sysctl, so that masking binds the host file;</li>
 * <li>masked and read-only paths undone from inside (umount, remount, a fresh proc).</li>
 * </ul>
 */
class CveRegressionTest {

    @TempDir
    Path tmp;

    /** A directory of the host's, outside the bundle, that no container may touch. */
    private Path hostDir;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static) for the test rootfs");
    }

    @BeforeEach
    void hostDirectory() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        hostDir = Files.createDirectories(tmp.resolve("host")).toRealPath();
        Files.writeString(hostDir.resolve("HOSTFILE"), "host secret\n");
    }

    private Path bundle(List<String> args, String mounts, String linux) throws IOException {
        return bundle(args, mounts, linux, null);
    }

    /** A busybox bundle; {@code user} replaces the config's process.user when not null. */
    private Path bundle(List<String> args, String mounts, String linux, String user) throws IOException {
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Path rootfs = Bundles.busyboxRootfs(b);
            for (String a : List.of("umount", "cut", "head", "tr", "sort", "printf", "sed")) {
                Files.createSymbolicLink(rootfs.resolve("bin").resolve(a), Path.of("busybox"));
            }
        }
        String config = Bundles.config(args, "cve", false, Bundles.DEFAULT_NAMESPACES, mounts, linux);
        if (user != null) {
            config = config.replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": " + user);
        }
        return Bundles.write(b, config);
    }

    private static Cli.Result run(Path bundle, String id) throws Exception {
        return Cli.run("run", "-b", bundle.toString(), id + ProcessHandle.current().pid());
    }

    /** Every path under {@code dir} with its content's hash: what "untouched" compares. */
    private static TreeMap<String, String> snapshot(Path dir) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                m.put(dir.relativize(p).toString(), Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? sha256(p) : "");
            }
        }
        return m;
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    private void assertHostDirUntouched(TreeMap<String, String> before) throws Exception {
        assertEquals(before, snapshot(hostDir), "the host directory " + hostDir + " was changed");
        assertEquals(List.of(), Bundles.mountsUnder(hostDir), "mounts on the host directory");
    }

    /** ../ enough times to climb out of any rootfs here, then the host directory. */
    private String climbingLink() {
        return "../".repeat(hostDir.getNameCount() + 6) + hostDir.toString().substring(1);
    }

    // ---- CVE-2019-16884 / CVE-2021-30465: mount destinations through symlinks ----------------

    @Test
    void symlinkedMountDestinationsStayInsideTheRootfs() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("payload"), "payload\n");
        String mounts = """
                , {"destination": "/mnt/abs", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
                  {"destination": "/mnt/up/sub", "type": "bind", "source": "%s", "options": ["rbind", "ro"]}""".formatted(data);
        Path b = bundle(List.of("sh", "-c", "cut -d' ' -f5 /proc/self/mountinfo; cat /mnt/up/sub/payload; ls /mnt/abs/; "
                + "cat " + hostDir + "/HOSTFILE"), mounts, "");
        Path rootfs = b.resolve("rootfs");
        // In the rootfs: the host directory's path exists too, so the links resolve there when
        // they are followed with the rootfs as "/".
        Path inside = Files.createDirectories(rootfs.resolve(hostDir.toString().substring(1)));
        Files.createSymbolicLink(rootfs.resolve("mnt/abs"), hostDir);               // absolute
        Files.createSymbolicLink(rootfs.resolve("mnt/up"), Path.of(climbingLink())); // ../../.. chain
        TreeMap<String, String> before = snapshot(hostDir);

        Cli.Result r = run(b, "sym");

        assertEquals(1, r.status(), "cat of the host file fails inside: " + r);
        List<String> out = r.out().lines().toList();
        // mount points as the container sees them: both mounts sit at the links' in-root targets
        assertTrue(out.contains(hostDir.toString()), "the tmpfs for /mnt/abs is at the link's target in the rootfs: " + r);
        assertTrue(out.contains(hostDir + "/sub"), "the bind for /mnt/up/sub is below it: " + r);
        assertTrue(out.contains("payload"), "the bind is visible through the link: " + r);
        assertFalse(r.out().contains("host secret"), r::toString);
        assertTrue(r.err().contains("HOSTFILE") && r.err().contains("No such file or directory"), r::toString);
        assertHostDirUntouched(before);
        assertEquals(List.of(), Bundles.mountsUnder(inside), "nothing left mounted in the rootfs");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aDanglingSymlinkToTheHostIsNeverCreated() throws Exception {
        // The file mount point /etc/evil is a dangling link to a host path: creating it by path
        // (open O_CREAT) would create the file on the host. In the root the target's directory
        // does not exist, so the start fails, naming the mount point.
        String mounts = """
                , {"destination": "/etc/evil", "type": "bind", "source": "/etc/hostname", "options": ["bind"]}""";
        Path b = bundle(List.of("true"), mounts, "");
        Files.createSymbolicLink(b.resolve("rootfs/etc/evil"), hostDir.resolve("created-by-runtime"));
        Files.createSymbolicLink(b.resolve("rootfs/mnt/dir"), Path.of(climbingLink()));
        TreeMap<String, String> before = snapshot(hostDir);

        Cli.Result r = run(b, "dng");
        assertNotEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("/etc/evil: ENOENT"), r::toString);
        assertHostDirUntouched(before);

        // mkdir -p through a ../ chain: /mnt/dir/sub would be made in the host directory
        Path b2 = bundle(List.of("true"), """
                , {"destination": "/mnt/dir/sub", "type": "tmpfs", "source": "tmpfs"}""", "");
        r = run(b2, "dng2");
        assertNotEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("/mnt/dir: ENOENT"), r::toString);
        assertHostDirUntouched(before);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aSymlinkSwappedInDuringStartsNeverReachesTheHost() throws Exception {
        // CVE-2021-30465's race: /mnt/race flips between a link into the rootfs and a ../ chain
        // out of it while containers mount a tmpfs on /mnt/race/sub (which needs a mkdir).
        Path b = bundle(List.of("sh", "-c", "cut -d' ' -f5 /proc/self/mountinfo | grep /sub"), """
                , {"destination": "/mnt/race/sub", "type": "tmpfs", "source": "tmpfs"}""", "");
        Path mnt = b.resolve("rootfs/mnt");
        Files.createDirectories(mnt.resolve("real"));
        Files.createDirectories(b.resolve("rootfs").resolve(hostDir.toString().substring(1)));
        Files.createSymbolicLink(mnt.resolve("race"), Path.of("real"));
        TreeMap<String, String> before = snapshot(hostDir);
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = Thread.ofPlatform().start(() -> {
            boolean out = false;
            while (!stop.get()) {
                try {
                    Path next = mnt.resolve("race.next");
                    Files.deleteIfExists(next);
                    Files.createSymbolicLink(next, Path.of(out ? climbingLink() : "real"));
                    Files.move(next, mnt.resolve("race"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    out = !out;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
        int started = 0;
        try {
            for (int i = 0; i < 12; i++) {
                Cli.Result r = run(b, "race" + i);
                if (r.status() == 0) {
                    started++;
                    String where = r.out().strip();
                    assertTrue(where.equals("/mnt/real/sub") || where.equals(hostDir + "/sub"),
                            "the tmpfs is at an in-root target of the link: " + r);
                } else {
                    // EAGAIN: openat2 with RESOLVE_IN_ROOT refuses a lookup that a concurrent rename
                    // may have raced (openat2(2)); a refusal, like ENOENT, never a host path.
                    assertTrue(r.err().contains("ENOENT") || r.err().contains("ENOTDIR") || r.err().contains("EAGAIN"), r::toString);
                }
                assertHostDirUntouched(before);
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        System.out.println("race: " + started + " of 12 containers started while /mnt/race flipped");
        RunIntegrationTest.assertNothingLeft(b);
    }

    // ---- CVE-2024-21626: leaked fds and cwd -------------------------------------------------

    private static final Pattern FD_LINE = Pattern.compile(" (\\d+) -> (.*)$");

    /** fd -> link target from `ls -l /proc/self/fd`, without ls's own directory fd. */
    private static TreeMap<Integer, String> fds(String lsOutput) {
        TreeMap<Integer, String> m = new TreeMap<>();
        for (String line : lsOutput.lines().toList()) {
            Matcher x = FD_LINE.matcher(line);
            if (x.find() && !x.group(2).matches("/proc/\\d+/fd")) {
                m.put(Integer.parseInt(x.group(1)), x.group(2));
            }
        }
        return m;
    }

    /**
     * The CLI started by bash with fd 7 open on the host directory and fd 8 on a jar the
     * runtime itself uses, both without close-on-exec, as a careless caller would leave them.
     */
    private ProcessBuilder withLeakedFds(String... args) throws IOException {
        String jar = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).filter(p -> p.endsWith(".jar"))
                .findFirst().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "exec 7<\"$0\" 8<\"$1\"; shift; exec \"$@\"", hostDir.toString(), jar));
        cmd.addAll(Cli.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"));
        pb.environment().put("_JAVA_SR_SIGNUM", "60");
        return pb;
    }

    @Test
    void noRuntimeFdOrCwdReachesTheContainer() throws Exception {
        String script = "ls -l /proc/self/fd; echo cwd=$(readlink /proc/self/cwd); echo init-cwd=$(readlink /proc/1/cwd)";
        Path b = bundle(List.of("sh", "-c", script), "", "");
        Cli.Result r = Cli.run(withLeakedFds("run", "-b", b.toString(), "fd" + ProcessHandle.current().pid()));
        assertEquals(0, r.status(), r::toString);
        assertEquals(Set.of(0, 1, 2), fds(r.out()).keySet(), "only stdio reaches the container: " + r);
        assertTrue(r.out().contains("cwd=/\n") && r.out().contains("init-cwd=/\n"), r::toString);
        assertFalse(r.out().contains(".jar") || r.out().contains(hostDir.toString()), r::toString);

        // --preserve-fds 1 passes fd 3, and nothing above it
        Path b3 = bundle(List.of("sh", "-c", "ls -l /proc/self/fd"), "", "");
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "exec 3</etc/hostname 7<\"$0\"; shift; exec \"$@\"", hostDir.toString(), "-"));
        cmd.addAll(Cli.command("run", "--preserve-fds", "1", "-b", b3.toString(), "fp" + ProcessHandle.current().pid()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"));
        pb.environment().put("_JAVA_SR_SIGNUM", "60");
        r = Cli.run(pb);
        assertEquals(0, r.status(), r::toString);
        assertEquals(Set.of(0, 1, 2, 3), fds(r.out()).keySet(), r::toString);
        assertTrue(fds(r.out()).get(3).endsWith("/etc/hostname"), r::toString);

        // the cwd cannot be a leaked directory fd: /proc/self/fd/7 is a magic link
        TreeMap<String, String> before = snapshot(hostDir);
        Path b2 = bundle(List.of("sh", "-c", "echo cwd=$(readlink /proc/self/cwd); ls; cat ../../../../etc/hostname"), "", "");
        Files.writeString(b2.resolve("config.json"), Files.readString(b2.resolve("config.json")).replace("\"cwd\": \"/\"",
                "\"cwd\": \"/proc/self/fd/7\""));
        r = Cli.run(withLeakedFds("run", "-b", b2.toString(), "cw" + ProcessHandle.current().pid()));
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("HOSTFILE") || r.out().contains("cwd=" + hostDir), r::toString);
        // The leaked fd is closed when the child execs its image (ENOENT); a preserved one is
        // still refused as a magic link (ELOOP).
        assertTrue(r.err().contains("chdir to the process's cwd /proc/self/fd/7: ENOENT"), r::toString);
        assertHostDirUntouched(before);
        r = Cli.run(withLeakedFds("run", "--preserve-fds", "6", "-b", b2.toString(), "cw" + ProcessHandle.current().pid()));
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("HOSTFILE") || r.out().contains("cwd=" + hostDir), r::toString);
        assertTrue(r.err().contains("chdir to the process's cwd /proc/self/fd/7: ELOOP"), r::toString);
        assertHostDirUntouched(before);
        RunIntegrationTest.assertNothingLeft(b);
    }

    /** A container running {@code sleep 300} as {@code id} under {@code root}, created and started; its bundle. */
    private Path sleeper(String root, String id) throws Exception {
        Path b = bundle(List.of("sleep", "300"), "", "");
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b.toString(), id);
        assertEquals(0, c.status(), c::toString);
        Cli.Result s = Cli.run("--root", root, "start", id);
        if (s.status() != 0) {
            Cli.run("--root", root, "delete", "--force", id);
        }
        assertEquals(0, s.status(), s::toString);
        return b;
    }

    @Test
    void noRuntimeFdOrCwdReachesAnExecdProcess() throws Exception {
        String root = tmp.resolve("state").toString();
        String id = "fx" + ProcessHandle.current().pid();
        Path b = sleeper(root, id);
        try {
            Cli.Result r = Cli.run(withLeakedFds("--root", root, "exec", id, "--", "sh", "-c",
                    "ls -l /proc/self/fd; echo cwd=$(readlink /proc/self/cwd)"));
            assertEquals(0, r.status(), r::toString);
            assertEquals(Set.of(0, 1, 2), fds(r.out()).keySet(), "only stdio reaches the exec'd process: " + r);
            assertTrue(r.out().contains("cwd=/\n"), r::toString);
            assertFalse(r.out().contains(".jar") || r.out().contains(hostDir.toString()), r::toString);

            r = Cli.run(withLeakedFds("--root", root, "exec", "--cwd", "/proc/self/fd/7", id, "--", "sh", "-c",
                    "echo cwd=$(readlink /proc/self/cwd); ls"));
            assertNotEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("HOSTFILE"), r::toString);
            assertTrue(r.err().contains("ENOENT"), "the leaked fd is closed before the cwd is looked up: " + r);
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    private String read(String name) {
        return Cli.textOf(tmp.resolve(name));
    }

    // ---- the exec window: what a container process sees of the runtime's child -------------

    /**
     * Builds the attack program (procsweep.c, a test resource) as a static binary into the
     * rootfs: it sweeps /proc for processes that are not busybox and tries mem, ptrace, environ,
     * the fd links and /proc/PID/exe on each.
     */
    private static void buildSweeper(Path rootfs) throws Exception {
        Path src = Path.of(CveRegressionTest.class.getResource("/attacks/procsweep.c").toURI());
        Path out = rootfs.resolve("bin/procsweep");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assumeTrue(gcc.waitFor() == 0, "needs gcc and a static libc to build the attack program (apt-get install gcc libc6-dev): " + log);
    }

    /**
     * exec is the window every container has: its child is born into the running container's
     * pid namespace. (run and create/start make a new pid namespace, empty until the program
     * runs; a config joining another container's pid namespace by `path` is the same case as
     * exec, through the same launcher.)
     */
    @Test
    void theSweepFindsNoRuntimeProcessItCanOpenTraceOrReadTheFdsOf() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        String javaBefore = sha256(java);
        // As root with runc's default capabilities: a container given CAP_SYS_PTRACE without a
        // user namespace may trace any process of the host, the runtime's or not.
        Path b = bundle(List.of("sh", "-c", "procsweep > /tmp/sweep.out 2>&1"), "", "");
        withDefaultCapabilities(b);
        buildSweeper(b.resolve("rootfs"));
        Files.deleteIfExists(b.resolve("rootfs/tmp/stop"));
        String root = tmp.resolve("state").toString();
        String id = "sw" + ProcessHandle.current().pid();
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b.toString(), id);
        assertEquals(0, c.status(), c::toString);
        try {
            assertEquals(0, Cli.run("--root", root, "start", id).status());
            // exec: its child is born in the container's pid namespace and waits there for its
            // cgroup placement (a v1 migration takes about 10 ms here) before it becomes the image.
            Path sweepOut = b.resolve("rootfs/tmp/sweep.out");
            for (int i = 0; i < 50; i++) {
                Cli.Result e = Cli.run("--root", root, "exec", id, "--", "true");
                assertEquals(0, e.status(), () -> e + "\nthe sweep so far:\n" + Cli.textOf(sweepOut));
            }
            Files.writeString(b.resolve("rootfs/tmp/stop"), "");
            Path out = b.resolve("rootfs/tmp/sweep.out");
            for (int i = 0; i < 100 && !Files.readString(out).contains("done"); i++) {
                Thread.sleep(50);
            }
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        List<String> lines = Files.readAllLines(b.resolve("rootfs/tmp/sweep.out"));
        long sightings = lines.stream().filter(l -> l.startsWith("sighting")).count();
        System.out.println("exec window: the sweep saw " + sightings + " runtime processes during 50 execs");
        assertTrue(lines.contains("done"), "the sweep ran to the end: " + lines);
        assertTrue(sightings > 0, "the sweep met the runtime's children (else it proves nothing): " + lines);
        assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("BREACH")).toList(), "the container reached a runtime process");
        assertEquals(javaBefore, sha256(java), "the JDK's java changed");
        RunIntegrationTest.assertNothingLeft(b);
    }

    // ---- CVE-2019-5736 through exec: /bin/evilsh -> /proc/self/exe, a payload as the loader --

    @Test
    void execOfALinkToProcSelfExeNeverRunsTheRuntimesBinary() throws Exception {
        // issue 20, item 9: exec'ing /bin/evilsh re-executed exec's child's /proc/self/exe, the
        // host's java, whose dynamic loader the container supplies: the payload then ran inside
        // the container holding the host's java as its /proc/self/exe. Now the child's exe is
        // the sealed init image (static: no loader), and the image refuses to replay itself.
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        String javaBefore = sha256(java);
        Path b = bundle(List.of("sleep", "300"), "", "");
        withDefaultCapabilities(b);
        Path rootfs = b.resolve("rootfs");
        Path src = Path.of(CveRegressionTest.class.getResource("/attacks/loader.c").toURI());
        Path loader = Files.createDirectories(rootfs.resolve("lib64")).resolve("ld-linux-x86-64.so.2");
        Process gcc = new ProcessBuilder("gcc", "-static", "-nostdlib", "-fno-stack-protector", "-O1", "-o", loader.toString(),
                src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assumeTrue(gcc.waitFor() == 0, "needs gcc to build the payload (apt-get install gcc libc6-dev): " + log);
        Files.deleteIfExists(rootfs.resolve("bin/evilsh"));
        Files.createSymbolicLink(rootfs.resolve("bin/evilsh"), Path.of("/proc/self/exe"));
        Files.deleteIfExists(rootfs.resolve("tmp/payload-ran"));
        String root = tmp.resolve("state").toString();
        String id = "ev" + ProcessHandle.current().pid();
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b.toString(), id);
        assertEquals(0, c.status(), c::toString);
        Cli.Result r;
        try {
            assertEquals(0, Cli.run("--root", root, "start", id).status());
            r = Cli.run("--root", root, "exec", id, "/bin/evilsh");
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        Path ran = rootfs.resolve("tmp/payload-ran");
        assertFalse(Files.exists(ran), () -> "the payload ran as a loader: " + Cli.textOf(ran) + " " + r);
        assertNotEquals(0, r.status(), "the re-executed image stops at once: " + r);
        assertEquals(javaBefore, sha256(java), "the JDK's java changed");
        RunIntegrationTest.assertNothingLeft(b);
    }

    // ---- CVE-2024-21626 through the executable: args[0] and PATH in /proc/self/fd/N --------

    /** A host-only busybox in the host directory: what the attack would run as the container's program. */
    private void hostBusybox() throws IOException {
        Files.copy(Bundles.BUSYBOX, hostDir.resolve("busybox"));
    }

    private static final String PWN = "echo pwned > /proc/self/fd/7/HOSTFILE; echo pwned > HOSTFILE; echo ran";

    @Test
    void anExecutableOrPathThroughALeakedFdIsRefused() throws Exception {
        hostBusybox();
        TreeMap<String, String> before = snapshot(hostDir);
        String id = "xf" + ProcessHandle.current().pid();
        // args[0] through the fd, and PATH through it
        Path b = bundle(List.of("/proc/self/fd/7/busybox", "sh", "-c", PWN), "", "");
        Cli.Result r = Cli.run(withLeakedFds("run", "-b", b.toString(), id));
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("ran"), r::toString);
        assertTrue(r.err().contains("exec /proc/self/fd/7/busybox: No such file or directory"), r::toString);
        assertHostDirUntouched(before);

        Path bp = bundle(List.of("busybox", "sh", "-c", PWN), "", "");
        Files.writeString(bp.resolve("config.json"), Files.readString(bp.resolve("config.json")).replace("\"PATH=/bin\"",
                "\"PATH=/proc/self/fd/7\""));
        r = Cli.run(withLeakedFds("run", "-b", bp.toString(), id));
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("ran"), r::toString);
        assertHostDirUntouched(before);

        // create/start: the parked init held the caller's fds until start. It keeps create's
        // stdio, which therefore goes to files (a pipe read to EOF would wait for the container).
        String root = tmp.resolve("state").toString();
        Path out = tmp.resolve("leak-create.out");
        Cli.Result c = Cli.run(withLeakedFds("--root", root, "create", "-b", b.toString(), id)
                .redirectOutput(out.toFile()).redirectError(tmp.resolve("leak-create.err").toFile()));
        if (c.status() == 0) {
            try {
                Cli.run(withLeakedFds("--root", root, "start", id));
                Thread.sleep(200);
            } finally {
                Cli.run("--root", root, "delete", "--force", id);
            }
        }
        assertFalse(Files.readString(out).contains("ran"), () -> read("leak-create.out") + read("leak-create.err"));
        assertHostDirUntouched(before);

        // exec, args[0] on the command line
        Path sleeper = bundle(List.of("sleep", "300"), "", "");
        c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", sleeper.toString(), id);
        assertEquals(0, c.status(), c::toString);
        try {
            assertEquals(0, Cli.run("--root", root, "start", id).status());
            r = Cli.run(withLeakedFds("--root", root, "exec", id, "--", "/proc/self/fd/7/busybox", "sh", "-c", PWN));
            assertNotEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("ran"), r::toString);
            r = Cli.run(withLeakedFds("--root", root, "exec", "--env", "PATH=/proc/self/fd/7", id, "--", "busybox", "sh", "-c", PWN));
            assertNotEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("ran"), r::toString);
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        assertHostDirUntouched(before);
        RunIntegrationTest.assertNothingLeft(b);
    }

    /**
     * The CLI started by bash with only fd 3 open (on /etc/hostname) and {@code --preserve-fds 8}
     * among {@code args}: the caller leaves 4 to 10 empty, where the JVM puts its modules image and
     * its jars (without close-on-exec) before the runtime's code runs.
     */
    private static ProcessBuilder withAGapInThePreservedRange(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "exec 3</etc/hostname; exec \"$@\"", "-"));
        cmd.addAll(Cli.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"));
        pb.environment().put("_JAVA_SR_SIGNUM", "60");
        return pb;
    }

    /**
     * As root in the container: list the fds, then open each of 4 to 10 for appending through its
     * /proc/self/fd magic link (opening writes nothing). Passed the runtime's jar or modules
     * image, that open succeeds, and a write would replace the runtime the host runs next
     * (CVE-2019-5736's way, through an fd rather than /proc/self/exe).
     */
    private static final String REOPEN_FOR_WRITING = "ls -l /proc/self/fd; for n in 4 5 6 7 8 9 10; do "
            + "(exec 9>>/proc/self/fd/$n) 2>/dev/null && echo BREACH $n; done; true";

    @Test
    void aGapInThePreservedFdsPassesNoneOfTheRuntimesOwnFiles() throws Exception {
        Path b = bundle(List.of("sh", "-c", REOPEN_FOR_WRITING), "", "");
        Cli.Result r = Cli.run(withAGapInThePreservedRange("run", "--preserve-fds", "8", "-b", b.toString(),
                "pg" + ProcessHandle.current().pid()));
        assertEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("BREACH"), r::toString);
        assertEquals(Set.of(0, 1, 2, 3), fds(r.out()).keySet(), "only stdio and the caller's fd 3: " + r);
        assertTrue(fds(r.out()).get(3).endsWith("/etc/hostname"), r::toString);
        // a range no process can hold is refused before anything is made
        String id = "pl" + ProcessHandle.current().pid();
        r = Cli.run("--root", tmp.resolve("state").toString(), "run", "--preserve-fds", "1048576", "-b", b.toString(), id);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("isthmus: run: --preserve-fds: fds 3 to 1048578 reach past the open-file limit"), r::toString);
        assertFalse(Files.exists(tmp.resolve("state").resolve(id)), "no state");
        assertEquals(List.of(), CrashSafetyIntegrationTest.cgroupDirs(id), "no cgroup");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void execPassesThePreservedFdsAndNoneOfTheRuntimesOwnFiles() throws Exception {
        String root = tmp.resolve("state").toString();
        String id = "px" + ProcessHandle.current().pid();
        Path b = sleeper(root, id);
        try {
            Cli.Result r = Cli.run(withAGapInThePreservedRange("--root", root, "exec", "--preserve-fds", "8", id, "sh", "-c",
                    REOPEN_FOR_WRITING + "; cat <&3"));
            assertEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("BREACH"), r::toString);
            assertEquals(Set.of(0, 1, 2, 3), fds(r.out()).keySet(), "only stdio and the caller's fd 3: " + r);
            assertTrue(r.out().endsWith(Files.readString(Path.of("/etc/hostname"))), "fd 3 reads the caller's file: " + r);
            // without --preserve-fds the caller's fd 3 stays out too
            r = Cli.run(withAGapInThePreservedRange("--root", root, "exec", id, "sh", "-c", REOPEN_FOR_WRITING));
            assertEquals(0, r.status(), r::toString);
            assertEquals(Set.of(0, 1, 2), fds(r.out()).keySet(), r::toString);
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void execModeStartsItsImageWithoutTheCallersLeakedFds() throws Exception {
        // --state-mode=exec: the JVM itself execs the image; fds the caller leaked into it (not
        // close-on-exec) used to survive into the image until the program's exec
        hostBusybox();
        TreeMap<String, String> before = snapshot(hostDir);
        String ns = "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]";
        Path b = Bundles.write(tmp.resolve("bundle"), Bundles.config(List.of("sh", "-c", "ls -l /proc/self/fd"), "cve", false, ns, "", ""));
        if (!Files.exists(b.resolve("rootfs/bin"))) {
            Bundles.busyboxRootfs(b);
        }
        String root = tmp.resolve("state").toString();
        String id = "em" + ProcessHandle.current().pid();
        String id2 = "em2" + ProcessHandle.current().pid();
        try {
            Cli.Result r = Cli.run(withLeakedFds("--root", root, "--state-mode=exec", "run", "-b", b.toString(), id));
            assertEquals(0, r.status(), r::toString);
            assertEquals(Set.of(0, 1, 2), fds(r.out()).keySet(), "only stdio reaches the container: " + r);
            // and no program is found through the leaked directory fd
            Files.writeString(b.resolve("config.json"), Bundles.config(List.of("/proc/self/fd/7/busybox", "sh", "-c", PWN), "cve", false, ns, "", ""));
            r = Cli.run(withLeakedFds("--root", root, "--state-mode=exec", "run", "-b", b.toString(), id2));
            assertNotEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("ran"), r::toString);
        } finally {
            // an exec-mode container's record and cgroup stay until delete: no runtime is left to remove them
            Cli.run("--root", root, "--state-mode=exec", "delete", "--force", id);
            Cli.run("--root", root, "--state-mode=exec", "delete", "--force", id2);
        }
        assertEquals(List.of(), CrashSafetyIntegrationTest.cgroupDirs(id), "cgroups left");
        assertEquals(List.of(), CrashSafetyIntegrationTest.cgroupDirs(id2), "cgroups left");
        assertHostDirUntouched(before);
    }

    @Test
    void anExecutableThroughAMagicLinkIsRefusedEvenWithThePreservedFdAndScriptsStillRun() throws Exception {
        hostBusybox();
        TreeMap<String, String> before = snapshot(hostDir);
        String id = "xm" + ProcessHandle.current().pid();
        // --preserve-fds 6 passes the caller's fd 7 (the host directory) on purpose: the image
        // holds it, and a plain execve of /proc/self/fd/7/busybox would run the host's binary.
        Path b = bundle(List.of("/proc/self/fd/7/busybox", "sh", "-c", PWN), "", "");
        Cli.Result r = Cli.run(withLeakedFds("run", "--preserve-fds", "6", "-b", b.toString(), id));
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("ran"), r::toString);
        assertTrue(r.err().contains("exec /proc/self/fd/7/busybox: Too many levels of symbolic links (a path through a /proc magic link"),
                r::toString);
        assertHostDirUntouched(before);
        // /proc/self/root is a magic link too
        Path b2 = bundle(List.of("/proc/self/root/bin/busybox", "echo", "ran"), "", "");
        r = run(b2, "xr");
        assertNotEquals(0, r.status(), r::toString);
        assertFalse(r.out().contains("ran"), r::toString);

        // #! scripts keep working, by path and through PATH, with $0 as execvp gives it
        Path script = b.resolve("rootfs/bin/hello.sh");
        Files.writeString(script, "#!/bin/sh\necho script $0 $1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        r = run(bundle(List.of("/bin/hello.sh", "a1"), "", ""), "xs");
        assertEquals(0, r.status(), r::toString);
        assertEquals("script /bin/hello.sh a1\n", r.out(), r::toString);
        r = run(bundle(List.of("hello.sh", "a2"), "", ""), "xs");
        assertEquals(0, r.status(), r::toString);
        assertEquals("script /bin/hello.sh a2\n", r.out(), r::toString);
        // the process is named after its program (ps, pkill), not after an fd ("/dev/fd/N" gives "N")
        r = run(bundle(List.of("cat", "/proc/self/comm"), "", ""), "xc");
        assertEquals("cat\n", r.out(), r::toString);

        // exec: the same refusal, and scripts
        String root = tmp.resolve("state").toString();
        Path sleeper = bundle(List.of("sleep", "300"), "", "");
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", sleeper.toString(), id);
        assertEquals(0, c.status(), c::toString);
        try {
            assertEquals(0, Cli.run("--root", root, "start", id).status());
            r = Cli.run("--root", root, "exec", id, "/proc/self/root/bin/busybox", "echo", "ran");
            assertNotEquals(0, r.status(), r::toString);
            assertFalse(r.out().contains("ran"), r::toString);
            assertTrue(r.err().contains("Too many levels of symbolic links"), r::toString);
            r = Cli.run("--root", root, "exec", id, "hello.sh", "a3");
            assertEquals("script /bin/hello.sh a3\n", r.out(), r::toString);
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        assertHostDirUntouched(before);
        RunIntegrationTest.assertNothingLeft(b);
    }

    // ---- CVE-2025-52881: runtime writes into /proc redirected by something planted there ------

    @Test
    void aSysctlWriteNeverFollowsAProcPlantedInAJoinedMountNamespace() throws Exception {
        // The attacker holds a mount namespace whose /proc has a host file bound over the sysctl
        // the container sets; the container joins that namespace by path. The write must reach
        // the container's own sysctl (its new uts namespace), never the planted file. (A uts
        // sysctl: /proc/sys/net entries are looked up per network namespace, so a bind over one
        // does not catch a process in another.) On main before the fix, the host file became
        // "pwnednal" and the container's domainname stayed "(none)".
        Path victim = hostDir.resolve("HOSTFILE");
        TreeMap<String, String> before = snapshot(hostDir);
        // run, then create/start: each joins a fresh attacker's namespace (the container's own
        // pivot_root changes the one it joins)
        for (boolean lifecycle : new boolean[] {false, true}) {
            Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind \"$0\" /proc/sys/kernel/domainname && echo ready && exec sleep 300", victim.toString())
                    .redirectErrorStream(true).start();
            try {
                String ready = new String(holder.getInputStream().readNBytes(6), java.nio.charset.StandardCharsets.UTF_8);
                assumeTrue(ready.equals("ready\n"), "needs unshare(1) and a bind mount over /proc/sys in a new mount namespace: " + ready);
                String ns = Bundles.DEFAULT_NAMESPACES.replace("{\"type\": \"mount\"}",
                        "{\"type\": \"mount\", \"path\": \"/proc/" + holder.pid() + "/ns/mnt\"}");
                Path b = bundle(List.of("cat", "/proc/sys/kernel/domainname"), "", "");
                String config = Files.readString(b.resolve("config.json")).replace(Bundles.DEFAULT_NAMESPACES, ns)
                        .replace("\"namespaces\":", "\"sysctl\": {\"kernel.domainname\": \"pwned\"}, \"namespaces\":");
                assertTrue(config.contains("/ns/mnt") && config.contains("domainname\": \"pwned"), config);
                Files.writeString(b.resolve("config.json"), config);
                String out;
                if (!lifecycle) {
                    Cli.Result r = run(b, "sy");
                    assertEquals(0, r.status(), r::toString);
                    out = r.out();
                } else {
                    String root = tmp.resolve("state").toString();
                    String id = "sy" + ProcessHandle.current().pid();
                    Cli.Result c = Cli.runToFiles(tmp.resolve("sy.out"), tmp.resolve("sy.err"), "--root", root, "create", "-b", b.toString(), id);
                    try {
                        assertEquals(0, c.status(), c::toString);
                        assertEquals(0, Cli.run("--root", root, "start", id).status());
                        for (int i = 0; i < 200 && !Cli.run("--root", root, "state", id).out().contains("\"stopped\""); i++) {
                            Thread.sleep(20);
                        }
                    } finally {
                        Cli.run("--root", root, "delete", "--force", id);
                    }
                    out = Files.readString(tmp.resolve("sy.out"));
                }
                assertEquals("pwned\n", out, "the container's own sysctl is set (" + (lifecycle ? "create/start" : "run") + ")");
                assertHostDirUntouched(before);
            } finally {
                holder.destroyForcibly().waitFor();
            }
        }
    }

    // ---- CVE-2025-31133 / CVE-2025-52565: /dev/null and /dev/console planted as symlinks ----

    private static final Path SYSCTL = Path.of("/proc/sys/kernel/printk_ratelimit_burst");

    @Test
    void aSymlinkedDevNullOrConsoleNeverMasksWithAHostFile() throws Exception {
        assumeTrue(Files.isWritable(SYSCTL), "needs a writable " + SYSCTL + " to tell whether the container reached it");
        String saved = Files.readString(SYSCTL);
        try {
            // No /dev tmpfs: the rootfs's own /dev is used, where null and console are links to
            // a host sysctl (through the container's /proc, which shows the host's kernel.*).
            Path b = bundle(List.of("sh", "-c", "echo 77 > /proc/keys; echo 78 > /proc/timer_list; echo 79 > /dev/console; "
                    + "echo keys=$(cat /proc/keys | wc -c)"), "", MASKS);
            withDefaultCapabilities(b);
            String config = Files.readString(b.resolve("config.json"));
            config = config.replace("{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
                    + "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]}",
                    "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}");
            assertFalse(config.contains("\"/dev\""), "the bundle has no /dev mount: " + config);
            Files.writeString(b.resolve("config.json"), config);
            Path dev = Files.createDirectories(b.resolve("rootfs/dev"));
            for (String name : List.of("null", "console")) {
                Files.deleteIfExists(dev.resolve(name));
                Files.createSymbolicLink(dev.resolve(name), SYSCTL);
            }
            Cli.Result r = run(b, "dnl");
            assertEquals(saved, Files.readString(SYSCTL), "the host's " + SYSCTL + " changed: " + r);
            assertFalse(r.out().contains("keys=") && !r.out().contains("keys=0"), "a mask shows content: " + r);

            String root = tmp.resolve("state").toString();
            String id = "dn" + ProcessHandle.current().pid();
            Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b.toString(), id);
            try {
                if (c.status() == 0) {
                    Cli.run("--root", root, "start", id);
                    Thread.sleep(300);
                }
            } finally {
                Cli.run("--root", root, "delete", "--force", id);
            }
            assertEquals(saved, Files.readString(SYSCTL), "the host's " + SYSCTL + " changed through create/start: " + read("create.out"));
            RunIntegrationTest.assertNothingLeft(b);

            // With a terminal the init binds its pty on /dev/console (CVE-2025-52565): the
            // symlink planted there is refused, never followed to the host sysctl it names.
            if (Files.isExecutable(Path.of("/usr/bin/script"))) {
                String tty = Files.readString(b.resolve("config.json")).replace("\"terminal\": false", "\"terminal\": true")
                        .replace("{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                                "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}, {\"destination\": \"/dev/pts\", "
                                        + "\"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"newinstance\", \"ptmxmode=0666\"]}");
                assertTrue(tty.contains("\"terminal\": true") && tty.contains("devpts"), tty);
                Files.writeString(b.resolve("config.json"), tty);
                String line = String.join(" ", Cli.command("run", "-b", b.toString(), "dnt" + ProcessHandle.current().pid()));
                Cli.Result t = Cli.run(new ProcessBuilder("script", "-qec", line, "/dev/null").redirectInput(new File("/dev/null")));
                assertNotEquals(0, t.status(), t::toString);
                assertTrue(t.out().contains("open /dev/console (not a symlink): ELOOP"), t::toString);
                assertEquals(saved, Files.readString(SYSCTL), "the host's " + SYSCTL + " changed through the console bind: " + t);
                RunIntegrationTest.assertNothingLeft(b);
            }
        } finally {
            if (!Files.readString(SYSCTL).equals(saved)) {
                Files.writeString(SYSCTL, saved);
            }
        }
    }

    // ---- CVE-2019-5736: overwriting the runtime through /proc/PID/exe -----------------------

    @Test
    void noContainerProcessCanWriteAnExecutableThroughProcExe() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        String javaBefore = sha256(java);
        // The container's own exe and its init's, directly.
        Path b = bundle(List.of("sh", "-c", "echo x >> /proc/self/exe; echo self=$?; echo x >> /proc/1/exe; echo init=$?"), "", "");
        String busyboxBefore = sha256(b.resolve("rootfs/bin/busybox"));
        Cli.Result r = run(b, "exe");
        assertEquals(List.of("self=1", "init=1"), r.out().lines().toList(), r::toString);
        assertTrue(r.err().contains("Text file busy"), r::toString);
        assertEquals(busyboxBefore, sha256(b.resolve("rootfs/bin/busybox")));

        // While `isthmus exec` runs: its child is a copy of the runtime's JVM (exe: the JDK's
        // java) in the container's pid namespace until it execs. A container process sweeps
        // every visible /proc/PID/exe, opening each for appending.
        String sweep = "while :; do for e in /proc/[0-9]*/exe; do t=$(readlink $e); "
                + "case $t in /bin/busybox|'') ;; *) echo \"seen $t\" >> /tmp/sweep;; esac; "
                + "if (: >> $e) 2>/dev/null; then echo \"opened $e $t\" >> /tmp/sweep; fi; done; done";
        Path b2 = bundle(List.of("sh", "-c", sweep), "", "");
        Files.deleteIfExists(b2.resolve("rootfs/tmp/sweep"));
        String root = tmp.resolve("state").toString();
        String id = "ex" + ProcessHandle.current().pid();
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b2.toString(), id);
        assertEquals(0, c.status(), c::toString);
        try {
            // The parked init is the runtime's image in a sealed memfd: not writable either
            // (checked from the host: no container process exists before start).
            Matcher pid = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)").matcher(Cli.run("--root", root, "state", id).out());
            assertTrue(pid.find());
            Path initExe = Path.of("/proc", pid.group(1), "exe");
            String imageBefore = sha256(initExe);
            assertFalse(writable(initExe), "the parked init's image is writable");
            assertEquals(imageBefore, sha256(initExe));

            assertEquals(0, Cli.run("--root", root, "start", id).status());
            for (int i = 0; i < 6; i++) {
                Cli.Result e = Cli.run("--root", root, "exec", id, "--", "true");
                assertEquals(0, e.status(), e::toString);
            }
            // exec's child is visible for well under a millisecond, so the sweep seldom meets it;
            // a process of the same JDK's java placed in the container's pid namespace for a few
            // seconds (as that child is, briefly) makes sure the sweep meets the runtime's binary.
            Path sleeper = Files.writeString(tmp.resolve("Sleeper.java"),
                    "class Sleeper { public static void main(String[] a) throws Exception { Thread.sleep(3000); } }");
            Process visible = new ProcessBuilder("nsenter", "-t", pid.group(1), "-p", "--", java.toString(), sleeper.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("sleeper.out").toFile()).start();
            assertEquals(0, visible.waitFor(), () -> read("sleeper.out"));
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        Path log = b2.resolve("rootfs/tmp/sweep");
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("seen") && l.endsWith("/bin/java")),
                "the sweep met the runtime's java in the container's pid namespace: " + lines);
        assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("opened")).toList(), "an exe was opened for writing");
        assertEquals(javaBefore, sha256(java), "the JDK's java changed");
        System.out.println("exe sweep saw " + new TreeSet<>(lines) + " during 6 execs and a 3 s java in the pid namespace");
        RunIntegrationTest.assertNothingLeft(b2);
    }

    private static boolean writable(Path p) {
        try (OutputStream o = Files.newOutputStream(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            o.write('x');
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---- masked and read-only paths undone from inside --------------------------------------

    private static final String MASKS = """
            , "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
              "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]""";

    private static final String SYSFS = """
            , {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}""";

    /** Tries to undo every mask from inside, then reports what can be read. */
    private static final String UNDO = String.join("; ",
            "grep ^CapEff: /proc/self/status",
            "umount /proc/keys 2>/dev/null; echo umount-keys=$?",
            "umount -l /sys/firmware 2>/dev/null; echo umount-firmware=$?",
            "umount /proc/timer_list 2>/dev/null; echo umount-timer_list=$?",
            "mount -o remount,rw /proc/sys 2>/dev/null; echo remount-sys=$?",
            "mount -o remount,bind,rw /proc/sys 2>/dev/null; echo remount-bind-sys=$?",
            "mount -t proc proc /mnt 2>/dev/null; echo fresh-proc=$?",
            "mount -t sysfs sysfs /tmp 2>/dev/null; echo fresh-sysfs=$?",
            "echo firmware=$(ls /sys/firmware | wc -l)",
            "echo timer_list=$(cat /proc/timer_list 2>/dev/null | wc -c)",
            "echo keys=$(cat /proc/keys | wc -c)",
            "echo sys-ro=$(grep -c ' /proc/sys ro,' /proc/self/mountinfo)");

    private static void assertStillMasked(Cli.Result r) {
        List<String> out = r.out().lines().toList();
        for (String attempt : List.of("umount-keys", "umount-firmware", "umount-timer_list", "remount-sys", "remount-bind-sys",
                "fresh-proc", "fresh-sysfs")) {
            assertFalse(out.contains(attempt + "=0"), attempt + " succeeded: " + r);
        }
        assertTrue(out.contains("firmware=0"), "/sys/firmware shows the host's entries: " + r);
        assertTrue(out.contains("timer_list=0"), r::toString);
        assertTrue(out.contains("keys=0"), r::toString);
        assertTrue(out.contains("sys-ro=1"), "/proc/sys is still read-only: " + r);
    }

    @Test
    void masksHoldAgainstANonRootProcess() throws Exception {
        // Without capabilities (a non-root uid loses them at setresuid): true today.
        assumeTrue(Files.list(Path.of("/sys/firmware")).findAny().isPresent(), "the host's /sys/firmware is empty: nothing to hide");
        Path b = bundle(List.of("sh", "-c", UNDO), SYSFS, MASKS, "{\"uid\": 1000, \"gid\": 1000}");
        Cli.Result r = run(b, "msk");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("CapEff:\t0000000000000000"), r::toString);
        assertStillMasked(r);
        RunIntegrationTest.assertNothingLeft(b);
    }

    /** runc's default capability set (runc spec), as container root gets it. */
    private static final String DEFAULT_CAPS = """
            ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
             "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_SYS_CHROOT"]""";

    /** Gives the bundle's process runc's default capability set (runc spec) instead of the runtime's. */
    private static void withDefaultCapabilities(Path b) throws IOException {
        String caps = "{\"bounding\": %1$s, \"effective\": %1$s, \"permitted\": %1$s}".formatted(DEFAULT_CAPS);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json"))
                .replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": true, \"capabilities\": " + caps));
    }

    @Test
    void masksHoldAgainstRootWithTheDefaultCapabilities() throws Exception {
        Path b = bundle(List.of("sh", "-c", UNDO), SYSFS, MASKS, null);
        withDefaultCapabilities(b);
        Cli.Result r = run(b, "mskc");
        assertEquals(0, r.status(), r::toString);
        Matcher m = Pattern.compile("CapEff:\\s+([0-9a-f]+)").matcher(r.out());
        assertTrue(m.find(), r::toString);
        long capEff = Long.parseUnsignedLong(m.group(1), 16);
        // Depends on the runtime applying process.capabilities: until it does, container root
        // keeps CAP_SYS_ADMIN (bit 21) and can unmount anything in its mount namespace.
        assumeFalse((capEff & (1L << 21)) != 0, "capabilities are not applied yet: the container's root holds CAP_SYS_ADMIN");
        assertStillMasked(r);
        RunIntegrationTest.assertNothingLeft(b);
    }
}
