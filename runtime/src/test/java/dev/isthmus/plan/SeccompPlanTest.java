package dev.isthmus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.LinuxSeccomp;
import dev.isthmus.sys.Errno;
import dev.isthmus.sys.Seccomp;
import dev.isthmus.sys.Syscall;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.RecordingKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * linux.seccomp compiled by libseccomp (sys.Seccomp), read back by running the exported BPF in
 * Java (SeccompBpf) for given system calls, and placed in the plan (SeccompSteps). No root needed.
 */
class SeccompPlanTest {

    // x86_64 and i386 numbers (asm/unistd_64.h, asm/unistd_32.h) and AUDIT_ARCH_I386.
    private static final int MKDIR = 83;
    private static final int GETPID = 39;
    private static final int WRITE = 1;
    private static final int PERSONALITY = 135;
    private static final int MKDIR_I386 = 39;
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int X86_64 = Seccomp.AUDIT_ARCH_NATIVE;

    @BeforeAll
    static void needsLibseccomp() {
        assumeTrue(Seccomp.available(), () -> "libseccomp.so.2 is not installed: " + Seccomp.unavailableReason());
    }

    private static LinuxSeccomp seccomp(String json) throws Exception {
        return config(json, true).linux().seccomp();
    }

    private static Config config(String seccompJson, boolean nnp) throws Exception {
        String json = Bundles.config(List.of("/bin/sh"), "box", false, "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]", "", ", \"seccomp\": " + seccompJson);
        if (!nnp) {
            json = json.replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": false");
        }
        return ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static long decide(Seccomp.Filter f, int arch, int nr, long... args) {
        return SeccompBpf.run(f.bpf(), nr, arch, args, 0);
    }

    @Test
    void errnoRulesAndTheDefaultAction() throws Exception {
        Seccomp.Filter f = Seccomp.compile(seccomp("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO"}]}"""));
        assertEquals(Seccomp.RET_ERRNO | 38, decide(f, X86_64, MKDIR));
        assertEquals(Seccomp.RET_ERRNO | Errno.EPERM.number(), decide(f, X86_64, PERSONALITY), "errnoRet defaults to EPERM");
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, GETPID));
        assertEquals(3, f.rules());
        assertEquals(0, f.flags());
    }

    @Test
    void defaultErrnoWithAnAllowListAndArgumentComparisons() throws Exception {
        Seccomp.Filter f = Seccomp.compile(seccomp("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": [
                  {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
                  {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["mkdir"], "action": "SCMP_ACT_ALLOW",
                   "args": [{"index": 1, "value": 448, "valueTwo": 448, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_GT"}]}]}"""));
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, GETPID));
        assertEquals(Seccomp.RET_ERRNO | 13, decide(f, X86_64, 2 /* open */));
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, WRITE, 1));
        assertEquals(Seccomp.RET_ERRNO | 13, decide(f, X86_64, WRITE, 2));
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, MKDIR, 0, 0755), "0755 & 0700 == 0700");
        assertEquals(Seccomp.RET_ERRNO | 13, decide(f, X86_64, MKDIR, 0, 0055));
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, PERSONALITY, 9));
        assertEquals(Seccomp.RET_ERRNO | 13, decide(f, X86_64, PERSONALITY, 8));
        assertEquals(Seccomp.RET_ALLOW, decide(f, X86_64, PERSONALITY, 0x1_0000_0000L), "64-bit comparison");
    }

    @Test
    void architecturesKillActionsAndFlags() throws Exception {
        Seccomp.Filter f = Seccomp.compile(seccomp("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                 "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL_PROCESS"},
                              {"names": ["getpid"], "action": "SCMP_ACT_TRAP"},
                              {"names": ["write"], "action": "SCMP_ACT_LOG"},
                              {"names": ["personality"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}]}"""));
        assertEquals(Integer.toUnsignedLong(Seccomp.RET_KILL_PROCESS), decide(f, X86_64, MKDIR));
        assertEquals(Integer.toUnsignedLong(Seccomp.RET_KILL_PROCESS), decide(f, AUDIT_ARCH_I386, MKDIR_I386), "the i386 number too");
        assertEquals(Seccomp.RET_TRAP, decide(f, X86_64, GETPID));
        assertEquals(Seccomp.RET_LOG, decide(f, X86_64, WRITE));
        assertEquals(Seccomp.RET_TRACE | 7, decide(f, X86_64, PERSONALITY));
        assertEquals(Seccomp.RET_KILL_THREAD, decide(f, 0xc00000b7 /* AUDIT_ARCH_AARCH64 */, 34), "an architecture not added is killed");
        assertEquals(1 | 2 | 4, f.flags(), "TSYNC 1, LOG 2, SPEC_ALLOW 4 (linux/seccomp.h)");
    }

    @Test
    void unknownSyscallNamesAreSkippedAndCounted() throws Exception {
        Seccomp.Filter f = Seccomp.compile(seccomp("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "no_such_call"], "action": "SCMP_ACT_ERRNO"}]}"""));
        assertEquals(List.of("linux.seccomp.syscalls[0].names[1] (no_such_call)"), f.unknownNames());
        assertEquals(Seccomp.RET_ERRNO | 1, decide(f, X86_64, MKDIR));
    }

    @Test
    void badConfigsNameTheField() throws Exception {
        record Bad(String json, String field, String words) {}
        for (Bad b : List.of(
                new Bad("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY is not supported"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}", "linux.seccomp.listenerPath",
                        "not supported"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}", "linux.seccomp.defaultErrnoRet", "takes no errno"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_KILL\","
                        + " \"errnoRet\": 5}]}", "linux.seccomp.syscalls[0].errnoRet", "takes no errno"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}", "linux.seccomp.defaultErrnoRet", "65535"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_SHEB\"]}",
                        "linux.seccomp.architectures[1]", "unknown to libseccomp"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
                        "linux.seccomp.flags[0]", "seccomp listener"),
                new Bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                        "linux.seccomp.syscalls[0].action", "SCMP_ACT_NOTIFY"))) {
            PlanException e = assertThrows(PlanException.class, () -> Seccomp.compile(seccomp(b.json)), b.json);
            assertEquals(b.field, e.field(), e.getMessage());
            assertTrue(e.getMessage().contains(b.words), e.getMessage());
        }
    }

    private static int indexOf(Program p, Syscall call) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (p.steps().get(i).call() == call) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void withNoNewPrivsTheFilterGoesInJustBeforeExecve() throws Exception {
        Config c = config("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", true);
        Program p = Planner.plan(c, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT);
        int at = indexOf(p, Syscall.SECCOMP);
        assertTrue(at > indexOf(p, Syscall.SETRESUID) && at > indexOf(p, Syscall.RT_SIGPROCMASK), p.listing("")::toString);
        // after it only the exec of the program: opened without magic links, exec'd by fd (the
        // filter lets openat2 and execveat through), execve by name for a script
        assertEquals(List.of(Syscall.OPENAT, Syscall.OPENAT2, Syscall.OPENAT2, Syscall.EXECVEAT, Syscall.EXECVE),
                p.steps().subList(at + 1, p.steps().size()).stream().map(Step::call).toList(), p.listing("")::toString);
        String line = p.steps().get(at).render();
        assertTrue(line.startsWith("seccomp(SECCOMP_SET_MODE_FILTER, 0, {len="), line);
        assertTrue(line.contains("default SCMP_ACT_ALLOW, 1 rule"), line);

        // The reference interpreter hands the fake kernel the BPF program the step points to.
        RecordingKernel k = new RecordingKernel();
        Interpreter.run(p, new long[] {5, 6}, k);
        RecordingKernel.Call call = k.calls(Syscall.SECCOMP).getFirst();
        Kernel.Fprog fprog = assertInstanceOf(Kernel.Fprog.class, call.arg(2));
        assertTrue(java.util.Arrays.equals(Seccomp.compile(c.linux().seccomp()).bpf(), fprog.program()));
        assertEquals(Seccomp.SET_MODE_FILTER, call.num(0));
    }

    @Test
    void withoutNoNewPrivsTheFilterGoesInBeforeTheCredentialsAndMustLetThemThrough() throws Exception {
        Config c = config("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", false);
        Program p = Planner.plan(c, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT);
        int at = indexOf(p, Syscall.SECCOMP);
        assertTrue(at >= 0 && at < indexOf(p, Syscall.SETRESGID) && at < indexOf(p, Syscall.SETRESUID), p.listing("")::toString);

        String deniesSetresuid = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setresuid\"],"
                + " \"action\": \"SCMP_ACT_ERRNO\"}]}";
        Config denies = config(deniesSetresuid, false);
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(denies, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT));
        assertEquals("linux.seccomp", e.field());
        assertTrue(e.getMessage().contains("fails setresuid with EPERM") && e.getMessage().contains("process.noNewPrivileges"),
                e.getMessage());
        // The same filter is fine once no_new_privs lets it go in after the credential steps.
        Planner.plan(config(deniesSetresuid, true), Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT);

        Config killsExec = config("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"execve\"],"
                + " \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}", true);
        e = assertThrows(PlanException.class, () -> Planner.plan(killsExec, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT));
        assertTrue(e.getMessage().contains("kills the process on execve"), e.getMessage());
    }

    @Test
    void withoutNoNewPrivsOnlyTheCredentialsTheWaitAndExecveRunUnderTheFilter() throws Exception {
        // The OCI validation suite's profile: default SCMP_ACT_ERRNO, an allow list without openat2
        // and close_range, no_new_privs false. runc runs it (its own calls come before the filter);
        // it was refused here because the cwd's openat2 and close_range came after it.
        String allow = String.join("\", \"", "setgroups", "setresgid", "setresuid", "capset", "prctl", "umask", "write",
                "read", "close", "rt_sigprocmask", "execve");
        Config c = config("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"" + allow
                + "\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", false);
        // The profile stops openat2 and execveat: the program is exec'd by name only (after the hop
        // the process holds no fd of the runtime for a magic link to reach).
        for (Program p : List.of(Planner.plan(c, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT),
                Planner.planParked(c, Path.of("/b"), Host.LIVE, Planner.Options.DEFAULT, Path.of("/run/x/exec.fifo")).program())) {
            int at = indexOf(p, Syscall.SECCOMP);
            assertTrue(at > indexOf(p, Syscall.OPENAT2) && at > indexOf(p, Syscall.FCHDIR) && at > indexOf(p, Syscall.CLOSE_RANGE),
                    p.listing("")::toString);
            for (Step s : p.steps().subList(at + 1, p.steps().size())) {
                assertTrue(java.util.Set.of(Syscall.PRCTL, Syscall.CAPSET, Syscall.SETGROUPS, Syscall.SETRESGID,
                        Syscall.SETRESUID, Syscall.UMASK, Syscall.WRITE, Syscall.READ, Syscall.CLOSE, Syscall.RT_SIGPROCMASK,
                        Syscall.EXECVE).contains(s.call()), "after the filter: " + s.render());
            }
        }
    }
}
