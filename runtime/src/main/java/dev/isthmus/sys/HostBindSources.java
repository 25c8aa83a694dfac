package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * Bind-mount sources of a child made in a new user namespace, cloned by the runtime before the
 * clone. In its user namespace the child is an unmapped stranger to the host's files: a source
 * under a root-only directory (podman's userdata/resolv.conf with --uidmap) cannot even be looked
 * up (EACCES; runc opens these in its parent for the same reason). So the runtime, still the
 * host's root in the host's mount namespace, makes each detached copy with
 * {@code open_tree(OPEN_TREE_CLONE)}; the child inherits the fd at its number, keeps it across
 * the image's exec, and its bind step duplicates it (F_DUPFD_CLOEXEC) where it would have called
 * open_tree itself, then attaches it with move_mount as before. A source the runtime cannot
 * clone is left to the child, which then reports the error as before.
 */
final class HostBindSources {
    private HostBindSources() {}

    private static Arg imm(long v) {
        return new Arg.Imm(v, null);
    }

    private static Arg imm(long v, String symbol) {
        return new Arg.Imm(v, symbol);
    }


    /**
     * {@code program} with its open_tree clones of host paths made here: the fds opened are
     * added to {@code opened} (the caller closes them once the child exists).
     */
    static Program preopen(Program program, List<Integer> opened) {
        // Only for a child born in a new user namespace: every other child looks its sources up
        // itself, at its turn, so its mounts are made (and listed in mountinfo) in the config's
        // order (a clone made here is older than the child's own mounts; waitsForParent would
        // also hold for a child that only waits for its cgroups).
        if ((program.cloneFlags() & K.CLONE_NEWUSER) == 0 || program.imageStart() < 1) {
            return program;
        }
        List<Step> before = program.steps().subList(0, program.imageStart() - 1); // up to the execveat of the image
        List<Step> after = new ArrayList<>();
        List<Step> keep = new ArrayList<>();
        int added = 0;
        for (Step s : program.steps().subList(program.imageStart() - 1, program.steps().size())) {
            int fd = -1;
            if (s.call() == Syscall.OPEN_TREE && s.args().size() == 3 && s.args().get(0) instanceof Arg.Imm dir && dir.value() == K.AT_FDCWD
                    && s.args().get(1) instanceof Arg.Str src && src.value() != null && s.args().get(2) instanceof Arg.Imm flags
                    && (flags.value() & K.OPEN_TREE_CLONE) != 0) {
                fd = openTree(src.value(), (int) flags.value());
                if (fd >= 0) {
                    opened.add(fd);
                    keep.add(Step.of(Syscall.FCNTL, "keep the runtime's clone of " + src.value() + " open across the image's exec",
                            imm(fd), imm(K.F_SETFD, "F_SETFD"), imm(0)));
                    after.add(new Step(Syscall.FCNTL, List.of(imm(fd), imm(K.F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"), imm(0)), s.flags(),
                            s.storeSlot(), s.tolerate(), s.what() + " (cloned by the runtime as fd " + fd + ")"));
                    // the image holds it no longer than its bind needs it
                    after.add(Step.of(Syscall.CLOSE, "close the runtime's clone of " + src.value(), imm(fd)));
                    added++;
                    continue;
                }
            }
            after.add(s);
        }
        if (keep.isEmpty()) {
            return program;
        }
        List<Step> steps = new ArrayList<>(before);
        steps.addAll(keep);
        steps.addAll(after);
        int k = keep.size();
        return new Program(program.cloneFlags(), steps, program.uidMap(), program.gidMap(), program.denySetgroups(),
                program.waitsForParent(), program.processStart() + k + added, program.oomScoreAdj(), program.imageStart() + k);
    }

    /** open_tree(AT_FDCWD, path, flags), or -1. */
    private static int openTree(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            long fd = Libc.syscall(Syscall.OPEN_TREE, Linux.AT_FDCWD(), a.allocateFrom(path).address(), flags);
            return fd < 0 ? -1 : (int) fd;
        }
    }
}
