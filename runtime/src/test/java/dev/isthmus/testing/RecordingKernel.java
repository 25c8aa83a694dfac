package dev.isthmus.testing;

import dev.isthmus.plan.Kernel;
import dev.isthmus.sys.Syscall;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A fake kernel that records every call, in order, as a typed record, and answers 0 unless a
 * rule says otherwise; calls that make an fd (openat, openat2, open_tree, fsopen, fsmount)
 * answer a fresh one (100, 101, ...), so a test can follow which fd a later call acts on.
 * Passed to the interpreter through its parameter: no global test switch.
 */
public final class RecordingKernel implements Kernel {

    /** One call as the program made it. */
    public record Call(Syscall call, List<Object> args) { // args may hold nulls (NULL pointers)
        public Object arg(int i) {
            return args.get(i);
        }

        public String str(int i) {
            return (String) args.get(i);
        }

        public long num(int i) {
            return (Long) args.get(i);
        }
    }

    private record Rule(Syscall call, Predicate<Call> when, long result) {}

    /** The calls that return a new fd. */
    public static final java.util.Set<Syscall> FD_CALLS = java.util.EnumSet.of(Syscall.OPENAT, Syscall.OPENAT2, Syscall.OPEN_TREE,
            Syscall.FSOPEN, Syscall.FSMOUNT);

    private final List<Call> calls = new ArrayList<>();
    private long nextFd = 100;
    private final List<Rule> rules = new ArrayList<>();

    /** Makes calls to {@code call} that match {@code when} return {@code result} (-errno to fail). */
    public RecordingKernel answer(Syscall call, Predicate<Call> when, long result) {
        rules.add(new Rule(call, when, result));
        return this;
    }

    @Override
    public long call(Syscall call, List<Object> args) {
        Call c = new Call(call, java.util.Collections.unmodifiableList(new ArrayList<>(args)));
        calls.add(c);
        for (Rule r : rules) {
            if (r.call == call && r.when.test(c)) {
                return r.result;
            }
        }
        if (call == Syscall.READ && args.get(1) instanceof Cell cell) {
            cell.set(0); // one byte read into the slot
            return 1;
        }
        if (FD_CALLS.contains(call)) {
            return nextFd++;
        }
        return 0;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(Syscall call) {
        return calls.stream().filter(c -> c.call == call).toList();
    }

    /** Index of the first call matching, or -1. */
    public int indexOf(Predicate<Call> p) {
        for (int i = 0; i < calls.size(); i++) {
            if (p.test(calls.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
