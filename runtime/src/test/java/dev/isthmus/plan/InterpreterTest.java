package dev.isthmus.plan;

import static dev.isthmus.plan.Arg.imm;
import static dev.isthmus.plan.Arg.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.sys.Errno;
import dev.isthmus.sys.Syscall;
import dev.isthmus.testing.RecordingKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterpreterTest {

    private static Program program(Step... steps) {
        return new Program(0, List.of(steps), "", "", false, false);
    }

    @Test
    void storedResultFeedsLaterSlotArguments() {
        var kernel = new RecordingKernel().answer(Syscall.OPENAT, c -> true, 7);
        var p = program(
                Step.storing(3, Syscall.OPENAT, "open", imm(-100), str("/x"), imm(0), imm(0)),
                Step.of(Syscall.SETNS, "setns", new Arg.Slot(3), imm(0)),
                Step.of(Syscall.CLOSE, "close", new Arg.Slot(3)));
        var out = Interpreter.run(p, new long[0], kernel);
        assertEquals(new Interpreter.Outcome.Exited(0), out);
        assertEquals(7L, kernel.calls(Syscall.SETNS).getFirst().num(0));
        assertEquals(7L, kernel.calls(Syscall.CLOSE).getFirst().num(0));
    }

    @Test
    void initialSlotsAreInputs() {
        var kernel = new RecordingKernel();
        var p = program(Step.of(Syscall.CLOSE, "close", new Arg.Slot(Program.SYNC_WRITE)));
        Interpreter.run(p, new long[] {11, 12}, kernel);
        assertEquals(12L, kernel.calls().getFirst().num(0));
    }

    @Test
    void checkedFailureStopsWithStepAndErrno() {
        var kernel = new RecordingKernel().answer(Syscall.MOUNT, c -> true, -Errno.EPERM.number());
        var p = program(
                Step.of(Syscall.CHDIR, "chdir", str("/")),
                Step.of(Syscall.MOUNT, "mount proc", str("proc"), str("/proc"), str("proc"), imm(0), Arg.nul()),
                Step.of(Syscall.CHDIR, "never", str("/")));
        assertEquals(new Interpreter.Outcome.Failed(1, Errno.EPERM.number()), Interpreter.run(p, new long[0], kernel));
        assertEquals(2, kernel.calls().size(), "nothing runs after the failed step");
    }

    @Test
    void toleratedErrnoAndUncheckedCallsGoOn() {
        var kernel = new RecordingKernel()
                .answer(Syscall.MKDIRAT, c -> true, -Errno.EEXIST.number())
                .answer(Syscall.EXECVE, c -> c.str(0).equals("/a/prog"), -Errno.ENOENT.number());
        var p = program(
                Step.tolerating(Errno.EEXIST.number(), Syscall.MKDIRAT, "mkdir", imm(-100), str("/d"), imm(0755)),
                Step.unchecked(Syscall.EXECVE, "exec /a/prog", str("/a/prog"), imm(0), imm(0)),
                Step.of(Syscall.EXECVE, "exec /b/prog", str("/b/prog"), imm(0), imm(0)),
                Step.of(Syscall.CHDIR, "after exec", str("/")));
        assertEquals(new Interpreter.Outcome.Exec(2), Interpreter.run(p, new long[0], kernel));
        assertEquals(0, kernel.calls(Syscall.CHDIR).size());
    }

    @Test
    void nonZeroTurnsEofIntoAFailure() {
        var kernel = new RecordingKernel().answer(Syscall.READ, c -> true, 0);
        var p = program(new Step(Syscall.READ, List.of(new Arg.Slot(0), new Arg.SlotAddr(4), imm(1)), Step.CHECK | Step.NONZERO, 0, 0, "sync"));
        assertEquals(new Interpreter.Outcome.Failed(0, 0), Interpreter.run(p, new long[0], kernel));
    }

    @Test
    void exitGroupEndsWithItsStatus() {
        var p = program(Step.of(Syscall.EXIT_GROUP, "exit", imm(42)), Step.of(Syscall.CHDIR, "never", str("/")));
        assertEquals(new Interpreter.Outcome.Exited(42), Interpreter.run(p, new long[0], new RecordingKernel()));
    }
}
