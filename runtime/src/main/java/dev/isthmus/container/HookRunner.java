package dev.isthmus.container;

import dev.isthmus.plan.Planner;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.spec.Hook;
import dev.isthmus.spec.State;
import dev.isthmus.spec.StateWriter;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.SysException;
import java.util.List;

/**
 * Runs the hooks of one lifecycle point (config.md "POSIX-platform Hooks"), in order, each with
 * the container's state JSON on stdin and its timeout enforced (SIGKILL when it runs over).
 * Runtime-namespace hooks run beside the runtime; container-namespace ones join the init's
 * namespaces through its pidfd first, as exec does.
 */
final class HookRunner {
    private static final int SIGKILL = 9;

    /** A hook that failed or timed out: "createRuntime hook /x: exited with 3". */
    static final class HookException extends Exception {
        HookException(String message) {
            super(message);
        }
    }

    private HookRunner() {}

    /**
     * Runs {@code hooks} ({@code point} names them in messages). With {@code initPidfd} >= 0 they
     * join {@code joinFlags} (and, with {@code joinPid}, the pid namespace) of that init.
     */
    static void run(String point, List<Hook> hooks, State state, int initPidfd, long joinFlags, boolean joinPid)
            throws HookException {
        byte[] json = StateWriter.toBytes(state);
        for (Hook hook : hooks) {
            String name = point + " hook " + hook.path();
            Program program = Planner.planHook(hook, initPidfd >= 0 ? joinFlags : 0);
            int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
            Spawner.Launch launch;
            try {
                long[] slots = new long[Step.SLOTS];
                slots[Program.STDIN] = pipe[0];
                slots[Program.TARGET] = initPidfd;
                launch = initPidfd >= 0 ? Spawner.launchInto(program, slots, initPidfd, joinPid) : Spawner.launch(program, slots, -1);
            } catch (SysException e) {
                Libc.close(pipe[1]);
                throw new HookException(name + ": " + e.getMessage());
            } finally {
                Libc.close(pipe[0]);
            }
            int pidfd = launch.pidfd();
            try {
                try {
                    launch.awaitExec();
                } catch (SpawnException e) {
                    throw new HookException(name + ": " + e.getMessage());
                } finally {
                    launch.close();
                }
                try {
                    Libc.write(pipe[1], json);
                } catch (SysException e) {
                    // EPIPE: the hook does not read its stdin, which it may
                } finally {
                    Libc.close(pipe[1]);
                    pipe[1] = -1;
                }
                long timeoutMillis = hook.timeout() == null ? -1 : hook.timeout() * 1000L;
                if (Libc.pollIn(new int[] {pidfd}, (int) Math.min(Integer.MAX_VALUE, timeoutMillis)).length == 0) {
                    Libc.pidfdSendSignal(pidfd, SIGKILL);
                    Libc.waitPidfd(pidfd, false);
                    throw new HookException(name + ": timed out after " + hook.timeout() + " s");
                }
                Libc.ExitStatus st = Libc.waitPidfd(pidfd, false);
                if (st.code() != 0 || st.signal() != 0) {
                    throw new HookException(name + ": " + st);
                }
            } finally {
                Libc.close(pipe[1]);
                Libc.close(pidfd);
            }
        }
    }
}
