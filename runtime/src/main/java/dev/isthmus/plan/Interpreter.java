package dev.isthmus.plan;

import dev.isthmus.sys.Syscall;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference semantics of a spawn program, step for step what the stub does
 * (runtime/src/main/asm/spawn-x86_64.S, spawn-aarch64.S): resolve slot arguments, call, store, check. Used with a
 * recording fake kernel in tests and by properties that compare it with the stub.
 */
public final class Interpreter {

    /** How a program ended. */
    public sealed interface Outcome {
        /** execve at {@code step} succeeded: the program became the user process. */
        record Exec(int step) implements Outcome {}

        /** Step {@code step} failed with {@code errno} (0: a NONZERO step returned 0); exit status 127. */
        record Failed(int step, int errno) implements Outcome {}

        /** exit_group was called, or the table ran out (status 0). */
        record Exited(int status) implements Outcome {}
    }

    private Interpreter() {}

    public static Outcome run(Program program, long[] initialSlots, Kernel kernel) {
        if (initialSlots.length > Step.SLOTS) {
            throw new IllegalArgumentException("more than " + Step.SLOTS + " initial slots");
        }
        long[] slots = new long[Step.SLOTS];
        System.arraycopy(initialSlots, 0, slots, 0, initialSlots.length);
        List<Step> steps = program.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            List<Object> args = new ArrayList<>(step.args().size());
            Kernel.Cell cell = null;
            int cellSlot = -1;
            for (Arg a : step.args()) {
                switch (a) {
                    case Arg.Imm imm -> args.add(imm.value());
                    case Arg.Str s -> args.add(s.value());
                    case Arg.Bytes b -> args.add(b.value());
                    case Arg.SockFprog f -> args.add(new Kernel.Fprog(f.program()));
                    case Arg.StrArray v -> args.add(v.values());
                    case Arg.Slot s -> args.add(slots[s.slot()]);
                    case Arg.SlotAddr s -> {
                        cell = new Kernel.Cell(slots[s.slot()]);
                        cellSlot = s.slot();
                        args.add(cell);
                    }
                }
            }
            long r = kernel.call(step.call(), args);
            if (cell != null) {
                slots[cellSlot] = cell.get();
            }
            if (step.call() == Syscall.EXIT_GROUP) {
                return new Outcome.Exited((int) (long) (Long) args.getFirst() & 0xff);
            }
            if ((step.flags() & Step.STORE) != 0) {
                slots[step.storeSlot()] = r;
            }
            if (step.checked()) {
                if (r < 0 && r >= -4095) {
                    if (-r != step.tolerate()) {
                        return new Outcome.Failed(i, (int) -r);
                    }
                } else if ((step.flags() & Step.NONZERO) != 0 && r == 0) {
                    return new Outcome.Failed(i, 0);
                }
            }
            // execveat of the init image (slot IMAGE) goes on with the image's steps; any other exec is the program's
            boolean hop = step.call() == Syscall.EXECVEAT && step.args().getFirst() instanceof Arg.Slot s && s.slot() == Program.IMAGE;
            if ((step.call() == Syscall.EXECVE || step.call() == Syscall.EXECVEAT && !hop) && r >= 0) {
                return new Outcome.Exec(i);
            }
        }
        return new Outcome.Exited(0);
    }
}
