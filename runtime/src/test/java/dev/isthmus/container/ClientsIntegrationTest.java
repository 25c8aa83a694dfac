package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman and buildah driving isthmus through --runtime (root; podman and buildah from apt, which
 * .ci/run installs). podman needs --ulimit nofile/nproc within this host's hard limits.
 */
class ClientsIntegrationTest {

    private static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

    @TempDir
    Path tmp;
    private Path runtime;
    private Path rootfs;
    private final List<String> podmanContainers = new ArrayList<>();

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: podman and buildah run rootful containers here");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        rootfs = Bundles.busyboxRootfs(tmp.resolve("image"));
        runtime = Cli.runtimeScript(tmp); // the runtime as a client sees it
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String name : podmanContainers) {
            run(List.of("podman", "--runtime", runtime.toString(), "rm", "-f", "-t", "0", name));
        }
    }

    private static Cli.Result run(List<String> cmd) throws Exception {
        return Cli.run(new ProcessBuilder(cmd).redirectInput(new File("/dev/null")));
    }

    /** podman run FLAGS, with the test's ulimits, of the test rootfs, running CMD. */
    private List<String> podmanRun(List<String> flags, String... cmd) {
        List<String> all = podman("run");
        all.addAll(flags);
        all.addAll(ULIMITS);
        all.addAll(List.of("--rootfs", rootfs.toString()));
        all.addAll(List.of(cmd));
        return all;
    }

        private List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", runtime.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void podmanRunExecStopRm() throws Exception {
        assumeTrue(onPath("podman"), "podman not installed (apt-get install podman)");
        List<String> runCmd = podmanRun(List.of("--rm"), "sh", "-c", "echo hello from podman; exit 3");
        Cli.Result r = run(runCmd);
        assertEquals(3, r.status(), r::toString);
        assertEquals("hello from podman\n", r.out(), r::toString);

        // -t: conmon passes --console-socket; the pty master comes back over it with SCM_RIGHTS
        List<String> tty = podmanRun(List.of("-t", "--rm"), "sh", "-c", "test -t 0 && test -t 1 && echo has-a-tty; exit 2");
        r = run(tty);
        assertEquals(2, r.status(), r::toString);
        assertEquals("has-a-tty\r\n", r.out(), "output through the console pty (its line discipline adds \\r): " + r);

        String name = "isthmus-test-" + ProcessHandle.current().pid();
        podmanContainers.add(name);
        List<String> detached = podmanRun(List.of("-d", "--name", name), "sleep", "300");
        r = run(detached);
        assertEquals(0, r.status(), r::toString);

        r = run(podman("exec", name, "sh", "-c", "echo exec pid $$; cat /proc/1/cmdline; exit 5"));
        assertEquals(5, r.status(), r::toString);
        assertTrue(r.out().startsWith("exec pid "), r::toString);
        assertTrue(r.out().contains("sleep"), "the exec'd process sees the container's pid 1: " + r);

        r = run(podman("exec", "-t", name, "sh", "-c", "test -t 1 && echo exec-tty; exit 6"));
        assertEquals(6, r.status(), r::toString);
        assertEquals("exec-tty\r\n", r.out(), "exec -t: the process's stdout is a terminal: " + r);

        r = run(podman("stop", "-t", "1", name));
        assertEquals(0, r.status(), r::toString);
        r = run(podman("inspect", "--format", "{{.State.Status}}", name));
        assertEquals("exited", r.out().strip(), r::toString);
        r = run(podman("rm", name));
        assertEquals(0, r.status(), r::toString);
        podmanContainers.remove(name);
        r = run(podman("container", "exists", name));
        assertEquals(1, r.status(), "the container is gone: " + r);
    }

    /** podman flags beyond the basic ones, each compared with what runc gives (issue #15). */
    @Test
    void podmanFlagsAsUsersPassThem() throws Exception {
        assumeTrue(onPath("podman"), "podman not installed (apt-get install podman)");
        // --device: podman puts S_IFCHR in linux.devices[].fileMode (8630 = 020666), which runc accepts
        if (Files.exists(Path.of("/dev/fuse"))) {
            List<String> dev = podmanRun(List.of("--rm", "--device", "/dev/fuse"), "sh", "-c", "test -c /dev/fuse && echo fuse-ok");
            Cli.Result r = run(dev);
            assertEquals(0, r.status(), r::toString);
            assertEquals("fuse-ok\n", r.out(), r::toString);
        }
        // --privileged: every host device, the same fileMode form
        List<String> priv = podmanRun(List.of("--rm", "--privileged"), "sh", "-c", "test -c /dev/null && test -e /dev/tty && echo priv-ok");
        Cli.Result r = run(priv);
        assertEquals(0, r.status(), r::toString);
        assertEquals("priv-ok\n", r.out(), r::toString);
        // --tmpfs: podman asks for tmpcopyup, the tmpfs starts with a copy of what it covers
        Path data = Files.createDirectories(rootfs.resolve("opt/data"));
        Files.writeString(data.resolve("kept"), "from the image\n");
        List<String> tmpfs = podmanRun(List.of("--rm", "--tmpfs", "/opt/data"), "sh", "-c",
                "grep -q ' /opt/data tmpfs' /proc/mounts && cat /opt/data/kept && echo changed > /opt/data/kept && cat /opt/data/kept");
        r = run(tmpfs);
        assertEquals(0, r.status(), r::toString);
        assertEquals("from the image\nchanged\n", r.out(), r::toString);
        assertEquals("from the image\n", Files.readString(data.resolve("kept")), "the image's file is untouched");
        // --read-only: the root is read-only, podman's tmpfs mounts (/tmp, /run, /var/tmp) are not
        List<String> ro = podmanRun(List.of("--rm", "--read-only"), "sh", "-c",
                "touch /x 2>/dev/null && echo root-writable; touch /tmp/y && echo tmp-ok");
        r = run(ro);
        assertEquals(0, r.status(), r::toString);
        assertEquals("tmp-ok\n", r.out(), r::toString);
        // --uidmap: a new user namespace whose root is host uid 100000; podman's bind sources
        // (userdata/resolv.conf, hosts, ...) sit under root-only directories the container's
        // root cannot look up: the runtime clones them before the clone (EACCES before this)
        List<String> userns = podmanRun(List.of("--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"), "sh", "-c",
                "cat /proc/self/uid_map; test -s /etc/resolv.conf && echo resolv");
        r = run(userns);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().matches("\\s*0\\s+100000\\s+65536\\s*\nresolv\n"), r::toString);
        // --memory, --cpus, --pids-limit: the container reads its own values in its cgroup mount
        // (it used to see the host's root values: the host's whole hierarchies were bound)
        List<String> limits = podmanRun(List.of("--rm", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "99"), "sh", "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max"
                        + " 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max");
        r = run(limits);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().equals("67108864\n50000\n99\n") || r.out().equals("67108864\n50000 100000\n99\n"), r::toString);
        // a missing command: create fails naming it, podman shows that and exits 127 (it used to
        // exit 127 with no message anywhere)
        List<String> missing = podmanRun(List.of("--rm"), "no-such-command-here");
        r = run(missing);
        assertEquals(127, r.status(), r::toString);
        assertTrue(r.err().contains("exec no-such-command-here (searched $PATH") && r.err().contains("No such file or directory"),
                r::toString);
    }

    /** {@code cmd} run with its stdio on a new pty (script(1)), as a user's terminal; the exit status is the command's. */
    static Cli.Result onATerminal(List<String> cmd) throws Exception {
        StringBuilder line = new StringBuilder();
        for (String c : cmd) {
            line.append(line.isEmpty() ? "" : " ").append("'").append(c.replace("'", "'\\''")).append("'");
        }
        return run(List.of("script", "-qec", line.toString(), "/dev/null"));
    }

    @Test
    void podmanRunItAndExecItGetTheContainersOwnPty() throws Exception {
        assumeTrue(onPath("podman"), "podman not installed (apt-get install podman)");
        assumeTrue(onPath("script"), "script(1) not installed (bsdutils)");
        String check = "readlink /proc/self/fd/0; test -t 0 && echo is-a-tty; stat -c console=%t:%T /dev/console";
        List<String> it = podmanRun(List.of("-it", "--rm"), "sh", "-c", check);
        Cli.Result r = onATerminal(it);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("/dev/pts/0\r\n") && r.out().contains("is-a-tty") && r.out().contains("console=88:0"),
                "`tty` names /dev/pts/0 of the container, which is /dev/console (runc gives the same): " + r);

        String name = "isthmus-tty-" + ProcessHandle.current().pid();
        podmanContainers.add(name);
        List<String> detached = podmanRun(List.of("-d", "--name", name), "sleep", "300");
        assertEquals(0, run(detached).status());
        r = onATerminal(podman("exec", "-it", name, "sh", "-c", "readlink /proc/self/fd/0; test -e /dev/pts/0 && echo in-devpts"));
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().matches("(?s).*/dev/pts/\\d+\r\nin-devpts.*"), "exec -it: a pty of the container's devpts: " + r);
    }

    @Test
    void buildahRunsARunStepInAScratchContainer() throws Exception {
        assumeTrue(onPath("buildah"), "buildah not installed (apt-get install buildah)");
        Cli.Result from = run(List.of("buildah", "from", "scratch"));
        assertEquals(0, from.status(), from::toString);
        String ctr = from.out().strip();
        try {
            Cli.Result mount = run(List.of("buildah", "mount", ctr));
            assertEquals(0, mount.status(), mount::toString);
            Path mnt = Path.of(mount.out().strip());
            assertEquals(0, run(List.of("cp", "-a", rootfs + "/.", mnt.toString())).status());
            Cli.Result r = run(List.of("buildah", "--runtime", runtime.toString(), "run", ctr, "--", "sh", "-c",
                    "echo RUN step; echo built > /made-by-run"));
            assertEquals(0, r.status(), r::toString);
            assertTrue(r.out().contains("RUN step"), r::toString);
            assertEquals("built\n", Files.readString(mnt.resolve("made-by-run")), "the RUN step wrote into the container's rootfs");
            r = run(List.of("buildah", "--runtime", runtime.toString(), "run", ctr, "--", "sh", "-c", "exit 4"));
            assertTrue(r.status() != 0 && r.err().contains("exit status 4"), r::toString);
        } finally {
            run(List.of("buildah", "rm", ctr));
        }
    }
}
