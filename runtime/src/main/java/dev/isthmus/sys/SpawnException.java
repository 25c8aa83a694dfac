package dev.isthmus.sys;

import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;

/**
 * A step of a spawn program failed in the child: "mount proc on /proc: EPERM (Operation not
 * permitted)". The child has exited with 127 and been reaped.
 */
public final class SpawnException extends Exception {
    private final int step;
    private final int errno;

    SpawnException(String message, int step, int errno) {
        super(message);
        this.step = step;
        this.errno = errno;
    }

    static SpawnException of(Program program, int step, int errno) {
        if (step < 0 || step >= program.steps().size()) {
            return new SpawnException("the child reported an unknown step " + step + " (" + Errno.describe(errno) + ")", step, errno);
        }
        Step s = program.steps().get(step);
        String why = errno == 0 ? "the parent went away" : s.call() == Syscall.EXECVE ? Errno.message(errno) : Errno.describe(errno);
        return new SpawnException(s.what() + ": " + why, step, errno);
    }

    public int step() {
        return step;
    }

    public int errno() {
        return errno;
    }

    /** Whether the program's execve failed (as opposed to its set-up). */
    public boolean execFailed(Program program) {
        return step >= 0 && step < program.steps().size() && program.steps().get(step).call() == Syscall.EXECVE;
    }
}
