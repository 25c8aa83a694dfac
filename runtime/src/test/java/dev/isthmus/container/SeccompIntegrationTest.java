package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.sys.Seccomp;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * linux.seccomp on real containers: each effect is read from inside the container (busybox's
 * error messages, /proc/self/status, the exit status). Needs root, a static busybox and
 * libseccomp.so.2.
 */
class SeccompIntegrationTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        assumeTrue(Seccomp.available(), () -> "needs libseccomp.so.2: " + Seccomp.unavailableReason());
    }

    private Path bundle(List<String> args, String seccomp, boolean noNewPrivs, String user) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        String json = Bundles.config(args, "sc", false, Bundles.DEFAULT_NAMESPACES,
                ", {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"mode=1777\"]}",
                ", \"seccomp\": " + seccomp);
        if (!noNewPrivs) {
            json = json.replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": false");
        }
        if (user != null) {
            json = json.replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": " + user);
        }
        return Bundles.write(b, json);
    }

    private Cli.Result run(Path bundle) throws Exception {
        return Cli.run("--root", tmp.resolve("state").toString(), "run", "-b", bundle.toString(), "sc" + ProcessHandle.current().pid());
    }

    /** The syscalls a static busybox sh needs to run echo, grep and mkdir (measured with strace). */
    private static final String BUSYBOX_SYSCALLS = "\"execve\", \"brk\", \"arch_prctl\", \"set_tid_address\", \"set_robust_list\", \"rseq\","
            + " \"prlimit64\", \"readlink\", \"getrandom\", \"mprotect\", \"mmap\", \"munmap\", \"write\", \"writev\", \"read\","
            + " \"open\", \"openat\", \"close\", \"fstat\", \"newfstatat\", \"stat\", \"lstat\", \"getuid\", \"geteuid\", \"getgid\","
            + " \"getegid\", \"getpid\", \"getppid\", \"uname\", \"ioctl\", \"fcntl\", \"rt_sigaction\", \"rt_sigprocmask\", \"rt_sigreturn\","
            + " \"wait4\", \"vfork\", \"clone\", \"clone3\", \"exit_group\", \"exit\", \"lseek\", \"getcwd\", \"dup2\", \"clock_gettime\","
            + " \"sysinfo\", \"getdents64\", \"pread64\"";

    @Test
    void aDeniedSyscallGivesItsErrnoRetAndTheFilterIsInPlace() throws Exception {
        Path b = bundle(List.of("sh", "-c", "mkdir /tmp/a; echo rc=$?; busybox chmod 600 /tmp; echo rc=$?; grep '^Seccomp:' /proc/self/status"),
                """
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                 "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
                 "syscalls": [{"names": ["mkdir", "mkdirat", "not_a_syscall"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
                              {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO"}]}""", true, null);
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("can't create directory '/tmp/a': Function not implemented"), r::toString); // ENOSYS = 38
        assertTrue(r.err().contains("Operation not permitted"), "errnoRet defaults to EPERM: " + r);
        assertEquals(List.of("rc=1", "rc=1", "Seccomp:\t2"), r.out().lines().toList(), r::toString); // 2: SECCOMP_MODE_FILTER
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void defaultErrnoWithAnAllowListStillRunsTheProgram() throws Exception {
        Path b = bundle(List.of("sh", "-c", "echo allowed; mkdir /tmp/a || echo mkdir refused"), """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13,
                 "syscalls": [{"names": [%s], "action": "SCMP_ACT_ALLOW"}]}""".formatted(BUSYBOX_SYSCALLS), true, null);
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        assertEquals("allowed\nmkdir refused\n", r.out(), r::toString);
        assertTrue(r.err().contains("Permission denied"), "defaultErrnoRet 13 is EACCES: " + r);
    }

    @Test
    void argumentComparisonsSelectCalls() throws Exception {
        // kill(pid, 0) fails with ESRCH, kill(pid, SIGCONT) passes: the rule looks at argument 1.
        Path b = bundle(List.of("sh", "-c", "kill -0 $$; echo zero=$?; kill -CONT $$; echo cont=$?"), """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3, "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}""",
                true, null);
        Cli.Result r = run(b);
        assertEquals(0, r.status(), r::toString);
        assertEquals("zero=1\ncont=0\n", r.out(), r::toString);
        assertTrue(r.err().contains("No such process"), "errnoRet 3 is ESRCH: " + r);
    }

    @Test
    void killProcessEndsTheContainerWithSigsys() throws Exception {
        Path b = bundle(List.of("sh", "-c", "echo before; exec mkdir /tmp/a"), """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}""",
                true, null);
        Cli.Result r = run(b);
        assertEquals(128 + 31, r.status(), "SIGSYS is 31: " + r);
        assertEquals("before\n", r.out(), r::toString);
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void withoutNoNewPrivsTheFilterGoesInBeforeTheUserSwitch() throws Exception {
        // uid 65534 without no_new_privs has no CAP_SYS_ADMIN: seccomp(2) would fail with EACCES
        // after setresuid, so this passes only if the filter was installed before it.
        Path b = bundle(List.of("sh", "-c", "id -u; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir /tmp/a"), """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}""",
                false, "{\"uid\": 65534, \"gid\": 65534}");
        Cli.Result r = run(b);
        assertEquals(List.of("65534", "NoNewPrivs:\t0", "Seccomp:\t2"), r.out().lines().toList(), r::toString);
        assertTrue(r.err().contains("Input/output error"), "errnoRet 5 is EIO: " + r);
    }

    @Test
    void execdProcessesGetTheSameFilter() throws Exception {
        Path b = bundle(List.of("sleep", "300"), """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}""",
                true, null);
        String root = tmp.resolve("state").toString();
        String id = "sx" + ProcessHandle.current().pid();
        Cli.Result c = Cli.runToFiles(tmp.resolve("create.out"), tmp.resolve("create.err"), "--root", root, "create", "-b", b.toString(), id);
        assertEquals(0, c.status(), c::toString);
        try {
            assertEquals(0, Cli.run("--root", root, "start", id).status());
            Cli.Result e = Cli.run("--root", root, "exec", id, "--", "sh", "-c", "mkdir /tmp/b; grep '^Seccomp:' /proc/self/status");
            assertEquals("Seccomp:\t2\n", e.out(), e::toString);
            assertTrue(e.err().contains("can't create directory '/tmp/b': Function not implemented"), e::toString);
        } finally {
            Cli.run("--root", root, "delete", "--force", id);
        }
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void badConfigsFailClearlyAndLeaveNothing() throws Exception {
        record Bad(String seccomp, boolean nnp, String message) {}
        List<Bad> bad = List.of(
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}", true,
                        "linux.seccomp.listenerPath: not supported"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", true, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\","
                        + " \"errnoRet\": 1}]}", true, "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_SH\"]}", true,
                        "linux.seccomp.architectures[0]: unknown to libseccomp"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\","
                        + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_SOMETIMES\"}]}]}", true,
                        "linux.seccomp.syscalls[0].args[0].op"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setresgid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                        false, "linux.seccomp: the filter fails setresgid with EPERM"));
        for (Bad x : bad) {
            Path b = bundle(List.of("sh", "-c", "echo ran"), x.seccomp(), x.nnp(), null);
            Cli.Result r = run(b);
            assertNotEquals(0, r.status(), r::toString);
            assertTrue(r.err().contains(x.message()), x.message() + " in " + r);
            assertFalse(r.out().contains("ran"), r::toString);
            try (var left = Files.list(Files.createDirectories(tmp.resolve("state")))) {
                assertEquals(List.of(), left.toList(), "no state left");
            }
            RunIntegrationTest.assertNothingLeft(b);
        }
    }

    /**
     * A compiled filter outlives the runtime's process (SeccompCache): create in one runtime
     * process keeps it, and the next create of the same profile, in another process, takes it
     * from the cache instead of compiling. Shown by planting, in place of the kept entry, the
     * filter of another profile (ENOSYS for mkdir instead of EACCES): the second container gets
     * the planted one. A config refused after the compile leaves no entry.
     */
    @Test
    void theNextCreateTakesTheCompiledFilterFromTheDiskCache() throws Exception {
        dev.isthmus.sys.SeccompCache cache = dev.isthmus.sys.SeccompCache.standard();
        assumeTrue(cache != null, "no cache directory for this user");
        // errnoRet unique to this run, so no earlier entry exists for the profile
        long unique = 1000 + ProcessHandle.current().pid() % 3000; // an errno libseccomp takes (below 4096)
        String profile = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"],"
                + " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": " + unique + "}, {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
        dev.isthmus.spec.LinuxSeccomp parsed = dev.isthmus.spec.ConfigReader.read(
                Bundles.config(List.of("true"), "x", false, Bundles.DEFAULT_NAMESPACES, "", ", \"seccomp\": " + profile)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json").linux().seccomp();

        // Refused after planning (a terminal without --console-socket): nothing kept.
        Path refused = bundle(List.of("sh", "-c", "true"), profile, true, null);
        Files.writeString(refused.resolve("config.json"), Files.readString(refused.resolve("config.json"))
                .replace("\"terminal\": false", "\"terminal\": true"));
        String state = tmp.resolve("state").toString();
        Cli.Result r = Cli.runToFiles(tmp.resolve("out"), tmp.resolve("err"), "--root", state, "create", "-b", refused.toString(),
                "refused" + ProcessHandle.current().pid());
        assertNotEquals(0, r.status(), r::toString);
        assertEquals(null, cache.load(parsed), "a refused create keeps no filter");

        Path b = bundle(List.of("sh", "-c", "mkdir /tmp/a; echo rc=$?"), profile, true, null);
        String id = "cached" + ProcessHandle.current().pid();
        try {
            r = Cli.runToFiles(tmp.resolve("out"), tmp.resolve("err"), "--root", state, "create", "-b", b.toString(), id);
            assertEquals(0, r.status(), r::toString);
            assertTrue(cache.load(parsed) != null, "create keeps the filter it compiled");
            Cli.run("--root", state, "delete", "--force", id);

            // Plant another profile's filter under this profile's entry.
            dev.isthmus.spec.LinuxSeccomp other = new dev.isthmus.spec.LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null,
                    List.of(new dev.isthmus.spec.LinuxSeccomp.Syscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", 38L, List.of())));
            Seccomp.Filter planted = Seccomp.compile(other);
            assertTrue(cache.store(parsed, planted), "planted");

            r = Cli.run("--root", state, "run", "-b", b.toString(), id);
            assertEquals(0, r.status(), r::toString);
            assertTrue(r.err().contains("Function not implemented"), "the planted filter (ENOSYS), so it came from the cache: " + r);
        } finally {
            Cli.run("--root", state, "delete", "--force", id);
            // leave no planted entry behind: the real filter replaces it
            Seccomp.forgetLast();
            cache.store(parsed, Seccomp.compile(parsed));
        }
        RunIntegrationTest.assertNothingLeft(b);
    }
}
