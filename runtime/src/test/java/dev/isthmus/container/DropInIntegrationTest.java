package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.sys.Seccomp;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for what the OCI validation suite (opencontainers/runtime-tools) found
 * refused where runc runs the config (issue 15), each on a real container.
 */
class DropInIntegrationTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static) for the test rootfs");
    }

    private Path bundle(List<String> args, String namespaces, String linux, boolean nnp) throws Exception {
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        String config = Bundles.config(args, "dropin", false, namespaces, "", linux);
        return Bundles.write(b, nnp ? config : config.replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": false"));
    }

    /** create, start, wait for the end, the program's output (create's stdout), delete. */
    private String createStartDelete(Path b, String id) throws Exception {
        String root = tmp.resolve("state").toString();
        Cli.Result c = Cli.runToFiles(tmp.resolve("c.out"), tmp.resolve("c.err"), "--root", root, "create", "-b", b.toString(), id);
        try {
            assertEquals(0, c.status(), c::toString);
            Cli.Result s = Cli.run("--root", root, "start", id);
            assertEquals(0, s.status(), s::toString);
            for (int i = 0; i < 200 && !Cli.run("--root", root, "state", id).out().contains("\"stopped\""); i++) {
                Thread.sleep(20);
            }
            return Files.readString(tmp.resolve("c.out"));
        } finally {
            assertEquals(0, Cli.run("--root", root, "delete", "--force", id).status());
        }
    }

    @Test
    void aFilterWithoutTheRuntimesOwnCallsStillRunsWithoutNoNewPrivileges() throws Exception {
        // The suite's profile: default SCMP_ACT_ERRNO and an allow list without openat2 and
        // close_range, noNewPrivileges false. Refused before ("the filter fails openat2 with
        // EPERM"): the runtime's own cwd and fd steps ran after the filter. Now only the
        // credential changes, the parked init's wait and execve do, as with runc.
        assumeTrue(Seccomp.available(), () -> "libseccomp.so.2 is not installed: " + Seccomp.unavailableReason());
        String allow = String.join("\", \"", "arch_prctl", "brk", "close", "execve", "exit_group", "getegid", "geteuid", "getgid",
                "getpid", "getppid", "getrandom", "getuid", "ioctl", "mprotect", "newfstatat", "openat", "prctl", "prlimit64", "read",
                "readlink", "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "set_robust_list", "set_tid_address", "uname",
                "write", "capget", "capset", "setgroups", "setresgid", "setresuid", "umask", "fcntl", "wait4", "clone", "munmap",
                "mmap", "getcwd", "dup2", "fstat", "stat", "lseek", "pipe", "pipe2", "vfork", "fork", "dup", "dup3", "getdents64",
                "fstatfs", "sysinfo", "madvise", "futex", "exit", "kill", "setpgid", "getpgrp", "getpgid", "tgkill", "gettid");
        String seccomp = ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"" + allow
                + "\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
        Path b = bundle(List.of("sh", "-c", "echo filtered; cat /proc/self/status | grep ^Seccomp:"), Bundles.DEFAULT_NAMESPACES, seccomp,
                false);
        Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "sf" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("filtered") && r.out().matches("(?s).*Seccomp:\\s+2.*"), "the program ran under the filter: " + r);
        String out = createStartDelete(b, "sc" + ProcessHandle.current().pid());
        assertTrue(out.contains("filtered"), "create/start ran it too: " + out);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void createWithAUserNamespaceMappingRootToAnotherHostUid() throws Exception {
        // Issue 15, item 2: create failed with "open the exec FIFO ROOT/ID/exec.fifo: EACCES" (the
        // parked init, root of a namespace that maps it to host uid 100000, opened the runtime's
        // FIFO); run worked. The runtime now opens the FIFO and hands the init the fd.
        String ns = "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"user\"}]";
        String maps = ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]";
        Path b = bundle(List.of("sh", "-c", "echo uid=$(id -u); cat /proc/self/uid_map"), ns, maps, true);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String out = createStartDelete(b, "un" + ProcessHandle.current().pid());
        assertTrue(out.contains("uid=0"), out);
        assertTrue(out.matches("(?s).*\\s0\\s+100000\\s+65536.*"), "root of the namespace is host uid 100000: " + out);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aPidNamespaceGivenByPathIsJoined() throws Exception {
        // Issue 15, item 1: the process stayed in the runtime's pid namespace (setns(CLONE_NEWPID)
        // in the child moves only its children). The launcher now has the child born in it.
        Process holder = new ProcessBuilder("unshare", "--pid", "--fork", "sleep", "60").start();
        try {
            long inner = -1;
            for (int i = 0; i < 100 && inner < 0; i++) {
                inner = holder.toHandle().children().findFirst().map(ProcessHandle::pid).orElse(-1L);
                Thread.sleep(20);
            }
            assumeTrue(inner > 0, "unshare --pid --fork did not start its child");
            String ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(inner), "ns", "pid")).toString();
            String namespaces = "[{\"type\": \"pid\", \"path\": \"/proc/" + inner + "/ns/pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}]";
            Path b = bundle(List.of("readlink", "/proc/self/ns/pid"), namespaces, "", true);
            Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "pp" + ProcessHandle.current().pid());
            assertEquals(0, r.status(), r::toString);
            assertEquals(ns, r.out().strip(), "run joins the pid namespace given by path");
            String out = createStartDelete(b, "pc" + ProcessHandle.current().pid());
            assertEquals(ns, out.strip(), "so does create");
            RunIntegrationTest.assertNothingLeft(b);
        } finally {
            holder.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly();
            holder.waitFor();
        }
    }

    @Test
    void anUnbindableRootfsPropagationRuns() throws Exception {
        // The suite's linux_rootfs_propagation: "unbindable" was applied before the rootfs was
        // bound onto itself, which then failed with EINVAL. It now goes on "/" after pivot_root.
        Path b = bundle(List.of("sh", "-c", "grep -E '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ' /proc/self/mountinfo"), Bundles.DEFAULT_NAMESPACES,
                ", \"rootfsPropagation\": \"unbindable\"", true);
        Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "ub" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("unbindable"), "the container's / is unbindable: " + r);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void withoutAMountNamespaceMountsAreMadeUnderTheRootfsAndRemovedAfterwards() throws Exception {
        // issue #15 item 4, the suite's linux_ns_itype: refused before ("mounts need a mount
        // namespace"); runc mounts in its own namespace under the bundle. isthmus does the same
        // and removes them at the end of a foreground run and at delete.
        Path rootfs = tmp.resolve("bundle/rootfs");
        String ns = "[{\"type\": \"pid\"}, {\"type\": \"uts\"}]";
        Path b = bundle(List.of("sh", "-c", "grep -c ' /dev tmpfs' /proc/mounts; touch /dev/x && echo dev-writable"), ns,
                ", \"maskedPaths\": [\"/proc/kcore\"]", true);
        Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "nm" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("dev-writable"), r::toString);
        assertEquals(List.of(), Bundles.mountsUnder(rootfs.toRealPath()), "run removed its mounts");
        assertFalse(Files.exists(rootfs.resolve("dev/x")), "the file went with the tmpfs");

        // create/start/delete: the mounts stay while the container exists, delete removes them
        String root = tmp.resolve("state").toString();
        String id = "nc" + ProcessHandle.current().pid();
        Path sleeper = bundle(List.of("sleep", "60"), ns, ", \"maskedPaths\": [\"/proc/kcore\"]", true);
        Cli.Result c = Cli.runToFiles(tmp.resolve("c.out"), tmp.resolve("c.err"), "--root", root, "create", "-b", sleeper.toString(), id);
        try {
            assertEquals(0, c.status(), c::toString);
            assertFalse(Bundles.mountsUnder(rootfs.toRealPath()).isEmpty(), "mounted under the rootfs in the runtime's namespace");
        } finally {
            assertEquals(0, Cli.run("--root", root, "delete", "--force", id).status());
        }
        assertEquals(List.of(), Bundles.mountsUnder(rootfs.toRealPath()), "delete removed the mounts");
        RunIntegrationTest.assertNothingLeft(sleeper);
    }

    @Test
    void mountsAreListedInTheConfigsOrder() throws Exception {
        // The suite's mounts.t: the runtime MUST mount in the listed order, which mountinfo shows.
        // Cloning bind sources early (meant for user-namespace children only) once listed every
        // bind before the tmpfs mounts that the config put first.
        Path b = bundle(List.of("sh", "-c", "grep -E ' /(tmp/t1|mnt/e1|tmp/t2|mnt/e2) ' /proc/self/mountinfo"), Bundles.DEFAULT_NAMESPACES, "", true);
        String mounts = ", {\"destination\": \"/tmp/t1\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
                + ", {\"destination\": \"/mnt/e1\", \"type\": \"bind\", \"source\": \"/etc\", \"options\": [\"bind\"]}"
                + ", {\"destination\": \"/tmp/t2\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
                + ", {\"destination\": \"/mnt/e2\", \"type\": \"bind\", \"source\": \"/etc\", \"options\": [\"rbind\"]}";
        Bundles.write(b, Bundles.config(List.of("sh", "-c", "grep -E ' /(tmp/t1|mnt/e1|tmp/t2|mnt/e2) ' /proc/self/mountinfo"), "dropin",
                false, Bundles.DEFAULT_NAMESPACES, mounts, ""));
        Cli.Result r = Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", b.toString(), "mo" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("/tmp/t1", "/mnt/e1", "/tmp/t2", "/mnt/e2"), r.out().lines().map(l -> l.split(" ")[4]).toList(), r::toString);
        RunIntegrationTest.assertNothingLeft(b);
    }
}
