package dev.isthmus.plan;

import static dev.isthmus.plan.Arg.imm;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxSeccomp;
import dev.isthmus.sys.Errno;
import dev.isthmus.sys.Seccomp;
import dev.isthmus.sys.Syscall;
import java.util.List;

/**
 * The seccomp part of a plan: {@code linux.seccomp} compiled into classic BPF in the JVM
 * ({@link Seccomp#compile}, libseccomp), installed by one step of the child,
 * {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &sock_fprog)}, with the program in the image.
 *
 * <p>Where the step goes (seccomp(2): installing a filter needs no_new_privs, or CAP_SYS_ADMIN in
 * the process's user namespace):
 * <ul>
 * <li>{@code process.noNewPrivileges} true: as late as possible, just before execve, after every
 *     step of the runtime's own (the filter constrains only the user program).
 * <li>false: before the credential steps (setgroups, setresgid, setresuid and capability drops),
 *     while the child still has CAP_SYS_ADMIN: afterwards a non-root or capability-reduced
 *     process could not install it. The runtime's own steps (the cwd's openat2 and fchdir, LSM
 *     labels, close_range) come before it, so only the credential changes, a parked init's wait
 *     (write, read, close) and execve follow, as with runc. Those then run under the filter, so
 *     {@link #checkAfter} runs them through it at plan time and refuses a filter that would stop
 *     one, naming the system call, instead of failing in the child. (runc and crun order it the
 *     same way, for the same reason.)
 * </ul>
 * Capability steps must come after the early position (they drop CAP_SYS_ADMIN).
 */
final class SeccompSteps {
    private SeccompSteps() {}

    /** The install step for {@code config}'s linux.seccomp, or null when it has none. */
    static Step install(Config config) throws PlanException {
        LinuxSeccomp s = config.linux() == null ? null : config.linux().seccomp();
        if (s == null) {
            return null;
        }
        Seccomp.Filter f = Seccomp.compile(s);
        return Step.of(Syscall.SECCOMP, "install the seccomp filter (linux.seccomp)",
                imm(Seccomp.SET_MODE_FILTER, "SECCOMP_SET_MODE_FILTER"), imm(f.flags(), f.flagNames()),
                new Arg.SockFprog(f.bpf(), Seccomp.describe(s, f)));
    }

    /** Whether the filter {@code install} installs surely lets {@code s} through (allow or log). */
    static boolean passes(Step install, Step s) {
        long ret = verdict(((Arg.SockFprog) install.args().get(2)).program(), s);
        if (ret == SeccompBpf.UNKNOWN) {
            return false;
        }
        int action = (int) ret & Seccomp.RET_ACTION_FULL;
        return action == Seccomp.RET_ALLOW || action == Seccomp.RET_LOG;
    }

    /** The filter's return value for {@code s}, or UNKNOWN when it depends on an argument that is not a number. */
    private static long verdict(byte[] program, Step s) {
        long[] args = new long[6];
        int unknown = 0;
        for (int j = 0; j < 6; j++) {
            if (j < s.args().size() && s.args().get(j) instanceof Arg.Imm imm) {
                args[j] = imm.value();
            } else if (j < s.args().size()) {
                unknown |= 1 << j;
            }
        }
        return SeccompBpf.run(program, s.call().number(), Seccomp.AUDIT_ARCH_NATIVE, args, unknown);
    }

    /**
     * Runs every step after {@code installAt} through the filter it installs; a step the filter
     * would stop fails the plan (see the class comment). Arguments the plan does not know as
     * numbers (strings, blocks, slots) are unknown to the filter: a rule that reads one is given
     * the benefit of the doubt.
     */
    static void checkAfter(List<Step> steps, int installAt, boolean early) throws PlanException {
        Step install = steps.get(installAt);
        byte[] program = ((Arg.SockFprog) install.args().get(2)).program();
        for (int i = installAt + 1; i < steps.size(); i++) {
            Step s = steps.get(i);
            long ret = verdict(program, s);
            if (ret == SeccompBpf.UNKNOWN) {
                continue;
            }
            int action = (int) ret & Seccomp.RET_ACTION_FULL;
            boolean passes = action == Seccomp.RET_ALLOW || action == Seccomp.RET_LOG;
            boolean fatal = action == Seccomp.RET_KILL_PROCESS || action == Seccomp.RET_KILL_THREAD || action == Seccomp.RET_TRAP;
            // An unchecked step (a PATH candidate, umask) may fail harmlessly, but not kill.
            if (passes || !s.checked() && !fatal) {
                continue;
            }
            String verdict = action == Seccomp.RET_ERRNO ? "fails " + s.call().kernelName() + " with " + Errno.name((int) ret & 0xffff)
                    : action == Seccomp.RET_TRACE ? "hands " + s.call().kernelName() + " to a tracer"
                    : action == Seccomp.RET_TRAP ? "traps " + s.call().kernelName()
                    : "kills the process on " + s.call().kernelName();
            String why = early
                    ? "; with process.noNewPrivileges false the filter is installed before the user and capability changes"
                            + " (seccomp(2) needs no_new_privs or CAP_SYS_ADMIN), so they run under it: allow "
                            + s.call().kernelName() + " or set process.noNewPrivileges"
                    : ": allow " + s.call().kernelName();
            throw new PlanException("linux.seccomp", "the filter " + verdict + ", which runs after it is installed ("
                    + s.what() + ")" + why);
        }
    }
}
