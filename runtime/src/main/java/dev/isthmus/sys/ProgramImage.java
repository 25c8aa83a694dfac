package dev.isthmus.sys;

import dev.isthmus.ffm.clone_args;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link Program} placed in one arena for the in-JVM stub: the {@link ProgramLayout}, the
 * clone_args it points to, the pidfd cell and the child's stack. Per-launch values (flags, error
 * fd, initial slots) are patched in place by {@link #prepare}.
 */
public final class ProgramImage implements AutoCloseable {

    static final long STACK_SIZE = 64 * 1024;

    private final Arena arena;
    private final MemorySegment header;
    private final MemorySegment cloneArgs;
    private final MemorySegment pidfd;
    private final ProgramLayout layout;
    /** For a {@link #reusable} image: the thread that may reuse it after close; else null. */
    private final Thread owner;

    public ProgramImage(Program program) {
        this(program, false);
    }

    /**
     * @param shared the image is made by one thread and followed and closed by another (a launch
     *               from a thread of its own, see Spawner#bornInOwnThread)
     */
    public ProgramImage(Program program, boolean shared) {
        this(ProgramLayout.of(program), shared);
    }

    /** {@link #ProgramImage(Program, boolean)} from a layout made before (shared, not changed). */
    ProgramImage(ProgramLayout layout, boolean shared) {
        this(layout, shared ? Arena.ofShared() : Arena.ofConfined(), null);
    }

    /** The images a thread closed last (up to four), kept for its next launches of the same layouts (a batch's template). */
    private static final ThreadLocal<ProgramImage[]> SPARE = ThreadLocal.withInitial(() -> new ProgramImage[4]);

    /**
     * An image of {@code layout} for a launch made, followed and closed by the calling thread:
     * the one this thread closed last when it holds the same layout (the per-launch values are
     * set again by {@link #prepare}, nothing else in it changes: the stub keeps its slots on the
     * child's stack), else a new one. Its memory is freed by the GC once no thread keeps it,
     * never while a child may still use it (close comes after the child's exec or end).
     */
    static ProgramImage reusable(ProgramLayout layout) {
        ProgramImage[] spares = SPARE.get();
        for (int i = 0; i < spares.length; i++) {
            if (spares[i] != null && spares[i].layout == layout) {
                ProgramImage spare = spares[i];
                spares[i] = null;
                return spare;
            }
        }
        return new ProgramImage(layout, Arena.ofAuto(), Thread.currentThread());
    }

    private ProgramImage(ProgramLayout layout, Arena arena, Thread owner) {
        // Made and closed by the launching thread; a shared arena's close costs a handshake with every thread.
        this.arena = arena;
        this.layout = layout;
        this.owner = owner;
        boolean ok = false;
        try {
            header = arena.allocate(layout.size(), 16);
            layout.writeTo(header);
            cloneArgs = arena.allocate(clone_args.layout());
            pidfd = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment stack = arena.allocate(STACK_SIZE, 16);
            header.set(ValueLayout.ADDRESS, 8, cloneArgs);
            header.set(ValueLayout.JAVA_LONG, 16, cloneArgs.byteSize());
            clone_args.pidfd(cloneArgs, pidfd.address());
            clone_args.exit_signal(cloneArgs, K.SIGCHLD);
            clone_args.stack(cloneArgs, stack.address());
            clone_args.stack_size(cloneArgs, STACK_SIZE);
            ok = true;
        } finally {
            if (!ok && owner == null) {
                arena.close();
            }
        }
    }

    /** Per-launch values: clone flags, the error pipe's write end, the initial slots, and a cgroup fd (or -1) for CLONE_INTO_CGROUP. */
    void prepare(long cloneFlags, int errFd, long[] initialSlots, int cgroupFd) {
        clone_args.flags(cloneArgs, cgroupFd >= 0 ? cloneFlags | K.CLONE_INTO_CGROUP : cloneFlags);
        clone_args.cgroup(cloneArgs, cgroupFd >= 0 ? cgroupFd : 0);
        pidfd.set(ValueLayout.JAVA_INT, 0, -1);
        header.set(ValueLayout.JAVA_LONG, ProgramLayout.ERRFD_OFFSET, errFd);
        for (int i = 0; i < Step.SLOTS; i++) {
            header.set(ValueLayout.JAVA_LONG, ProgramLayout.SLOTS_OFFSET + 8L * i, i < initialSlots.length ? initialSlots[i] : 0);
        }
    }

    MemorySegment header() {
        return header;
    }

    int pidfd() {
        return pidfd.get(ValueLayout.JAVA_INT, 0);
    }

    @Override
    public void close() {
        if (owner == null) {
            arena.close();
        } else if (owner == Thread.currentThread()) {
            // kept in a free place, else in the oldest one's (left to the GC)
            ProgramImage[] spares = SPARE.get();
            int free = 0;
            while (free < spares.length - 1 && spares[free] != null) {
                free++;
            }
            System.arraycopy(spares, 0, spares, 1, free);
            spares[0] = this;
        }
    }
}
