package dev.isthmus.plan;

import dev.isthmus.sys.K;
import dev.isthmus.sys.Syscall;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a program's child wait, before its first step, until the parent has moved it into its
 * cgroups and written the sync byte: the limits then hold for everything the child does, and a
 * cgroup namespace the child makes has its cgroup as root. So CLONE_NEWCGROUP moves from clone3
 * to an unshare right after the wait (runc orders it the same way). A program that already waits
 * (for its id maps) keeps its one wait, and the unshare follows it.
 */
public final class ParentSync {
    private ParentSync() {}

    /** {@code p} with the wait; an unchanged program when it needs none. */
    public static Program of(Program p) {
        List<Step> steps = new ArrayList<>(p.steps());
        long flags = p.cloneFlags();
        boolean cgroupNs = (flags & K.CLONE_NEWCGROUP) != 0;
        flags &= ~K.CLONE_NEWCGROUP;
        int inserted;
        int after;
        if (p.waitsForParent()) {
            after = waitStep(steps) + 2; // the read, then the close of the sync pipe
            inserted = 0;
        } else {
            steps.add(0, Step.of(Syscall.CLOSE, "close the parent's end of the sync pipe", new Arg.Slot(Program.SYNC_WRITE)));
            steps.add(1, new Step(Syscall.READ, List.of(new Arg.Slot(Program.SYNC_READ), new Arg.SlotAddr(Program.FIRST_FREE_SLOT + 1),
                    new Arg.Imm(1, "1")), Step.CHECK | Step.NONZERO, 0, 0, "wait for the parent to place the child in its cgroups"));
            steps.add(2, Step.of(Syscall.CLOSE, "close the sync pipe", new Arg.Slot(Program.SYNC_READ)));
            inserted = 3;
            after = 3;
        }
        if (cgroupNs) {
            steps.add(after, Step.of(Syscall.UNSHARE, "unshare the cgroup namespace once in the container's cgroups",
                    new Arg.Imm(K.CLONE_NEWCGROUP, "CLONE_NEWCGROUP")));
            inserted++;
        }
        // Every inserted step precedes the image's exec: the image starts that many steps later.
        return new Program(flags, steps, p.uidMap(), p.gidMap(), p.denySetgroups(), true, p.processStart() + inserted, p.oomScoreAdj(),
                p.imageStart() < 0 ? -1 : p.imageStart() + inserted);
    }

    /** The parked form: the image starts that many steps later. */
    public static Planner.Parked of(Planner.Parked parked) {
        Program synced = of(parked.program());
        return new Planner.Parked(synced, synced.imageStart(), parked.consoleInContainer());
    }

    /**
     * For exec mode, where no parent remains: the program's own first steps write "0" (the
     * writer itself, cgroups(7)) into each of {@code procsFiles}, so the process enters its
     * cgroups once it runs as the small ELF image, not while it is still the JVM (whose threads
     * and memory would count against the limits), and before its namespaces are unshared.
     */
    public static Program selfPlaced(Program p, List<String> procsFiles) {
        List<Step> steps = new ArrayList<>();
        int slot = Program.FIRST_FREE_SLOT + 1;
        for (String f : procsFiles) {
            steps.add(Step.storing(slot, Syscall.OPENAT, "open " + f, Arg.imm(K.AT_FDCWD, "AT_FDCWD"), Arg.str(f),
                    Arg.imm(K.O_WRONLY | K.O_CLOEXEC, "O_WRONLY|O_CLOEXEC"), Arg.imm(0)));
            steps.add(Step.of(Syscall.WRITE, "enter cgroup " + f, new Arg.Slot(slot), new Arg.Bytes(new byte[] {'0'}, "\"0\""), Arg.imm(1)));
            steps.add(Step.of(Syscall.CLOSE, "close " + f, new Arg.Slot(slot)));
        }
        int n = steps.size();
        steps.addAll(p.steps());
        return new Program(p.cloneFlags(), steps, p.uidMap(), p.gidMap(), p.denySetgroups(), p.waitsForParent(), p.processStart() + n,
                p.oomScoreAdj(), p.imageStart() < 0 ? -1 : p.imageStart() + n);
    }

    private static int waitStep(List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.call() == Syscall.READ && !s.args().isEmpty() && s.args().getFirst() instanceof Arg.Slot slot
                    && slot.slot() == Program.SYNC_READ) {
                return i;
            }
        }
        throw new IllegalStateException("a program that waits for its parent has no read of the sync pipe");
    }
}
