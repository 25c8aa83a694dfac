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
        String why = errno == 0 ? "the parent went away" : runsProgram(s) ? Errno.message(errno) : Errno.describe(errno);
        if (s.call() == Syscall.OPENAT2 && errno == Errno.ELOOP.number() && runsProgram(s)) {
            why += " (a path through a /proc magic link such as /proc/self/fd/N is refused)";
        }
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
        return step >= 0 && step < program.steps().size() && runsProgram(program.steps().get(step));
    }

    /**
     * Whether {@code s} is one of the steps that exec the user program: its execve, or the
     * openat2 and execveat that open and exec it by fd (the planner names those "exec ...";
     * the init image's own execveat is not one).
     */
    private static boolean runsProgram(Step s) {
        return s.call() == Syscall.EXECVE
                || (s.call() == Syscall.OPENAT2 || s.call() == Syscall.EXECVEAT) && s.what().startsWith("exec ")
                        && !(s.args().getFirst() instanceof dev.isthmus.plan.Arg.Slot slot && slot.slot() == Program.IMAGE);
    }
}
