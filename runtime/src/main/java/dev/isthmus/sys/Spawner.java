package dev.isthmus.sys;

import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts spawn programs through the stub and follows them to execve.
 *
 * <p>The child shares the JVM's memory (CLONE_VM) and, when it needs nothing from the parent,
 * CLONE_VFORK suspends the calling thread until it has exec'd. When it waits for its id maps it
 * runs beside the parent instead, on its own stack, until the parent writes the sync byte.
 */
public final class Spawner {
    private Spawner() {}

    /**
     * Held from creating a launch's pipes to closing the child's ends in the parent: a child
     * cloned meanwhile by another thread would inherit those ends and hold the error pipe open
     * past this launch's exec.
     */
    private static final ReentrantLock SPAWN_LOCK = new ReentrantLock();

    /** Set in a thread whose launches another thread follows (their images are then shared arenas). */
    private static final ThreadLocal<Boolean> LAUNCHED_FOR_ANOTHER = ThreadLocal.withInitial(() -> false);

    /** Held while a rootless parent has made the JVM dumpable to write a child's id maps. */
    private static final ReentrantLock DUMPABLE = new ReentrantLock();

    /** A launched program that has not yet been followed to execve. */
    public static final class Launch implements AutoCloseable {
        private final ProgramImage image;
        private final Program program;
        private final int pid;
        private final int pidfd;
        private int errRead;
        private int syncWrite;
        private final boolean parked;
        /** A parked init's commit pipe (write end), or -1. */
        private int commitWrite = -1;

        Launch(ProgramImage image, Program program, int pid, int pidfd, int errRead, int syncWrite, boolean parked) {
            this.image = image;
            this.parked = parked;
            this.program = program;
            this.pid = pid;
            this.pidfd = pidfd;
            this.errRead = errRead;
            this.syncWrite = syncWrite;
        }

        public int pid() {
            return pid;
        }

        public int pidfd() {
            return pidfd;
        }

        /**
         * Does the parent's part (id maps, sync byte) and waits until the child has exec'd (for a
         * parked init: until it reports READY).
         *
         * @throws SpawnException naming the failed step; the child has then been reaped
         */
        public void awaitExec() throws SpawnException {
            awaitExec(null);
        }

        /** What the parent does to a waiting child before it releases it (e.g. move it into its cgroups). */
        @FunctionalInterface
        public interface BeforeRelease {
            void run(int pid) throws Exception;
        }

        /**
         * Runs {@code beforeRelease} (killing and reaping the child when it fails), then lets a
         * waiting child go on: the parent's /proc files (maps, oom_score_adj) and the sync byte.
         */
        private void release(BeforeRelease beforeRelease) throws SpawnException {
            if (beforeRelease != null) {
                try {
                    beforeRelease.run(pid);
                } catch (Exception e) {
                    Libc.pidfdSendSignal(pidfd, 9);
                    Libc.waitPidfd(pidfd, false);
                    throw new SpawnException(e.getMessage(), -1, 0);
                }
            }
            if (syncWrite >= 0) {
                writeParentFiles();
                Libc.write(syncWrite, new byte[] {0});
                Libc.close(syncWrite);
                syncWrite = -1;
            }
        }

        /**
         * {@link #awaitExec()}, running {@code beforeRelease} (when not null) on the waiting child
         * before the sync byte; a program given {@code beforeRelease} must wait for its parent.
         */
        public void awaitExec(BeforeRelease beforeRelease) throws SpawnException {
            try {
                if (beforeRelease != null && syncWrite < 0) {
                    throw new IllegalStateException("the child does not wait for its parent");
                }
                release(beforeRelease);
                byte[] report = new byte[16];
                int n = 0;
                while (n < 16) {
                    byte[] buf = new byte[16 - n];
                    int r = Libc.read(errRead, buf, buf.length);
                    if (r == 0) {
                        break;
                    }
                    System.arraycopy(buf, 0, report, n, r);
                    n += r;
                }
                if (n == 0) {
                    if (parked) {
                        Libc.waitPidfd(pidfd, false);
                        throw new SpawnException("the parked init ended before it was ready", -1, 0);
                    }
                    return; // EOF: the close-on-exec error pipe closed, execve succeeded
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(report).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int step = (int) b.getLong();
                int errno = (int) b.getLong();
                if (parked && step == -1 && errno == 0) {
                    return; // READY: set up, parked on the exec FIFO
                }
                Libc.waitPidfd(pidfd, false);
                throw SpawnException.of(program, step, errno);
            } catch (SysException e) {
                Libc.pidfdSendSignal(pidfd, 9);
                Libc.waitPidfd(pidfd, false);
                throw new SpawnException("setting up the child: " + e.getMessage(), -1, e.errno());
            } finally {
                Libc.close(errRead);
                errRead = -1;
                image.close();
            }
        }

        /**
         * For a forking exec ({@code Planner.planForkingExec}): does the parent's part as
         * {@link #awaitExec(BeforeRelease)}, then reads the error pipe to its end, where the
         * intermediate and the process it forked each report the fork's result beside
         * {@link Program#FORK_MARK}, the intermediate ends at step {@code endStep} with ESRCH, and
         * EOF means the forked process exec'd. Reaps the intermediate; returns the forked
         * process's pid (a child of this process, through CLONE_PARENT).
         *
         * @throws SpawnException naming the failed step; the intermediate has then been reaped
         */
        public int awaitForkedExec(BeforeRelease beforeRelease, int endStep) throws SpawnException {
            long forked = 0;
            try {
                release(beforeRelease);
                int failedStep = -1;
                int failedErrno = 0;
                while (true) {
                    byte[] report = new byte[16];
                    int n = 0;
                    while (n < 16) {
                        byte[] buf = new byte[16 - n];
                        int r = Libc.read(errRead, buf, buf.length);
                        if (r == 0) {
                            break;
                        }
                        System.arraycopy(buf, 0, report, n, r);
                        n += r;
                    }
                    if (n < 16) {
                        break; // EOF: every writer is gone (exec'd or ended)
                    }
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(report).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    long first = b.getLong();
                    long second = b.getLong();
                    if (second == Program.FORK_MARK) {
                        if (first > 0) {
                            forked = first;
                        }
                    } else if (first == endStep && second == Errno.ESRCH.number() && failedStep < 0) {
                        // the intermediate ended as planned
                    } else if (failedStep < 0) {
                        failedStep = (int) first;
                        failedErrno = (int) second;
                    }
                }
                Libc.waitPidfd(pidfd, false);
                if (failedStep >= 0 || forked <= 0) {
                    if (forked > 0) {
                        reapForked((int) forked);
                    }
                    throw failedStep >= 0 ? SpawnException.of(program, failedStep, failedErrno)
                            : new SpawnException("the process forked into the container's pid namespace did not start", -1, 0);
                }
                return (int) forked;
            } catch (SysException e) {
                Libc.pidfdSendSignal(pidfd, 9);
                Libc.waitPidfd(pidfd, false);
                if (forked > 0) {
                    reapForked((int) forked);
                }
                throw new SpawnException("setting up the child: " + e.getMessage(), -1, e.errno());
            } finally {
                Libc.close(errRead);
                errRead = -1;
                image.close();
            }
        }

        /** Kills and reaps a forked process that failed before its exec (it is this process's child). */
        private static void reapForked(int forkedPid) {
            try {
                int fd = Libc.pidfdOpen(forkedPid);
                if (fd < 0) {
                    return; // already gone
                }
                try {
                    Libc.pidfdSendSignal(fd, 9);
                    Libc.waitPidfd(fd, false);
                } finally {
                    Libc.close(fd);
                }
            } catch (SysException e) {
                // already reaped
            }
        }

        private void writeParentFiles() {
            boolean procFiles = !program.oomScoreAdj().isEmpty() || !program.uidMap().isEmpty() || !program.gidMap().isEmpty();
            if (!procFiles || Rootless.euid() == 0) {
                writeParentFiles(false);
                return;
            }
            // A non-root parent: the CLONE_VM child shares the JVM's non-dumpable memory map, so
            // /proc/CHILD/* belong to root and neither this process nor newuidmap (which checks
            // that /proc/CHILD is the caller's) may open them. The JVM is dumpable only while it
            // writes them: the child then sits in a new user and pid namespace of its own, where
            // no other process is, and the JVM runs as the caller with nothing more than the
            // caller's own processes have (README, "Rootless").
            DUMPABLE.lock();
            try {
                Libc.setDumpable(true);
                try {
                    writeParentFiles(true);
                } finally {
                    Libc.setDumpable(false);
                }
            } finally {
                DUMPABLE.unlock();
            }
        }

        private void writeParentFiles(boolean rootless) {
            Path proc = Path.of("/proc", Integer.toString(pid));
            if (!program.oomScoreAdj().isEmpty()) {
                try {
                    Files.writeString(proc.resolve("oom_score_adj"), program.oomScoreAdj(), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    throw new SysException("write process.oomScoreAdj " + program.oomScoreAdj() + " to /proc/" + pid
                            + "/oom_score_adj (" + e.getMessage() + "; lowering it below 0 needs CAP_SYS_RESOURCE)", Errno.EACCES.number());
                }
            }
            if (rootless && !(ownOnly(program.uidMap(), Rootless.euid()) && ownOnly(program.gidMap(), Rootless.egid()))) {
                // More than the caller's own id: only the setuid helpers may write it, each
                // checking /etc/subuid or /etc/subgid (the config was checked against them too).
                IdMapHelper.run("newuidmap", pid, program.uidMap(), "linux.uidMappings");
                IdMapHelper.run("newgidmap", pid, program.gidMap(), "linux.gidMappings");
                return;
            }
            try {
                if (program.denySetgroups()) {
                    Files.writeString(proc.resolve("setgroups"), "deny", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                }
                if (!program.uidMap().isEmpty()) {
                    Files.writeString(proc.resolve("uid_map"), program.uidMap(), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                }
                if (!program.gidMap().isEmpty()) {
                    Files.writeString(proc.resolve("gid_map"), program.gidMap(), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                }
            } catch (IOException e) {
                throw new SysException("write the id maps of " + pid + " (" + e.getMessage() + ")", Errno.EPERM.number());
            }
        }

        /** Whether {@code map} (uid_map lines) is one line mapping {@code own} alone, or empty. */
        private static boolean ownOnly(String map, long own) {
            if (map.isEmpty()) {
                return true;
            }
            String[] lines = map.strip().split("\n");
            String[] f = lines[0].strip().split("\\s+");
            return lines.length == 1 && f.length == 3 && f[1].equals(Long.toString(own)) && f[2].equals("1");
        }

        /**
         * For a parked init: tells it that create has recorded the container ({@code recorded}),
         * or, when not, only closes the commit pipe, so that the init ends (EOF) instead of
         * parking for a container nobody recorded. Without a call, the init ends when this
         * process does. Returns false when the init had already ended.
         */
        public boolean commit(boolean recorded) {
            if (commitWrite < 0) {
                return false;
            }
            try {
                if (recorded) {
                    Libc.write(commitWrite, new byte[] {1});
                }
                return true;
            } catch (SysException e) {
                return false; // EPIPE: the init is gone
            } finally {
                Libc.close(commitWrite);
                commitWrite = -1;
            }
        }

        /** Closes what is still open; the pidfd belongs to the caller once exec succeeded. */
        @Override
        public void close() {
            if (syncWrite >= 0) {
                Libc.close(syncWrite);
                syncWrite = -1;
            }
            if (errRead >= 0) {
                Libc.close(errRead);
                errRead = -1;
                image.close();
            }
        }
    }

    /** Clones a child that runs {@code program}. The image is owned by the returned launch. */
    public static Launch launch(Program program) {
        return launch(program, -1, -1);
    }

    /**
     * Clones a child that runs {@code program}, with {@code consoleFd} (or -1) in slot
     * {@link Program#CONSOLE}, born in the cgroup v2 directory {@code cgroupFd} (or -1) through
     * CLONE_INTO_CGROUP: no migration afterwards.
     */
    public static Launch launch(Program program, int consoleFd, int cgroupFd) {
        long[] slots = new long[Step.SLOTS];
        slots[Program.CONSOLE] = consoleFd;
        return launch(program, slots, cgroupFd);
    }

    /**
     * Clones a child that runs {@code program} with {@code presetSlots} as its initial slots (the
     * sync pipe's slots are filled here), in cgroup {@code cgroupFd} or -1.
     */
    public static Launch launch(Program program, long[] presetSlots, int cgroupFd) {
        return clone(program, presetSlots, cgroupFd, false);
    }

    /**
     * The one clone path: pipes, initial slots, for a program that hops into an image (every
     * container's, DESIGN.md) also the sealed memfd ELF holding the same table (its error pipe
     * kept across the image's exec through slot ERR), then clone3 through the stub. The child gets
     * its own copies of the fds (fd tables are copied at clone), so the parent closes its
     * child-side ends at once; on failure it closes its own ends too. The JVM is made
     * non-dumpable first: the CLONE_VM child shares its memory map, and with it its dumpability.
     */
    private static Launch clone(Program planned, long[] presetSlots, int cgroupFd, boolean parked) {
        NonDumpable.ensure();
        List<Integer> bindSources = new java.util.ArrayList<>();
        Program program = HostBindSources.preopen(planned, bindSources);
        try {
            return clone(program, presetSlots, cgroupFd, parked, bindSources);
        } finally {
            bindSources.forEach(Libc::close); // the child has its own copies
        }
    }

    private static Launch clone(Program program, long[] presetSlots, int cgroupFd, boolean parked, List<Integer> bindSources) {
        ProgramLayout layout = ProgramLayout.forLaunch(program);
        ProgramImage image = LAUNCHED_FOR_ANOTHER.get() ? new ProgramImage(layout, true) : ProgramImage.reusable(layout);
        boolean waits = program.waitsForParent();
        long flags = K.CLONE_VM | K.CLONE_PIDFD | (waits ? 0 : K.CLONE_VFORK) | program.cloneFlags();
        int[] err = null;
        int[] sync = null;
        int[] commit = null;
        int memfd = -1;
        long pid;
        SPAWN_LOCK.lock();
        try {
            err = Libc.pipe2(Libc.O_CLOEXEC);
            long[] slots = presetSlots.clone();
            if (waits) {
                sync = Libc.pipe2(Libc.O_CLOEXEC);
                slots[Program.SYNC_READ] = sync[0];
                slots[Program.SYNC_WRITE] = sync[1];
            }
            if (parked) {
                commit = Libc.pipe2(Libc.O_CLOEXEC);
                slots[Program.COMMIT] = commit[0];
            }
            if (program.imageStart() >= 0) {
                slots[Program.ERR] = err[1];
                memfd = Memfd.sealedExecutable("isthmus-init", ElfImage.build(layout, program.imageStart(), err[1], slots, Arch.current()));
                slots[Program.IMAGE] = memfd;
            }
            image.prepare(flags, err[1], slots, cgroupFd);
            pid = Stub.spawn(image.header());
        } catch (RuntimeException e) {
            if (err != null) {
                Libc.close(err[0]);
            }
            if (sync != null) {
                Libc.close(sync[1]);
            }
            if (commit != null) {
                Libc.close(commit[1]);
            }
            image.close();
            throw e;
        } finally {
            if (err != null) {
                Libc.close(err[1]);
            }
            if (sync != null) {
                Libc.close(sync[0]);
            }
            if (commit != null) {
                Libc.close(commit[0]);
            }
            Libc.close(memfd);
            SPAWN_LOCK.unlock();
        }
        if (pid < 0) {
            Libc.close(err[0]);
            if (sync != null) {
                Libc.close(sync[1]);
            }
            if (commit != null) {
                Libc.close(commit[1]);
            }
            image.close();
            throw new SysException("clone3", (int) -pid);
        }
        Launch launch = new Launch(image, program, (int) pid, image.pidfd(), err[0], sync == null ? -1 : sync[1], parked);
        launch.commitWrite = commit == null ? -1 : commit[1];
        return launch;
    }

    /** The JVM's PR_SET_DUMPABLE 0, set once before its first child (DESIGN.md, invariant 1). */
    private static final class NonDumpable {
        static {
            Libc.makeNonDumpable();
        }

        static void ensure() {
            // class initialisation does the work, once, thread-safely
        }
    }

    /**
     * Clones a child that runs {@code program} inside an existing container (exec): the pidfd of
     * its init goes into slot TARGET for the program's setns step and, when {@code joinPid}, the
     * calling (platform) thread first moves its pid_ns_for_children into the init's pid
     * namespace, so the child is born there, and moves back right after clone3.
     */
    public static Launch launchInto(Program program, int targetPidfd, boolean joinPid) {
        long[] slots = new long[Step.SLOTS];
        slots[Program.TARGET] = targetPidfd;
        return launchInto(program, slots, targetPidfd, joinPid);
    }

    /** {@link #launchInto(Program, int, boolean)} with more preset slots (slot TARGET must hold the pidfd). */
    public static Launch launchInto(Program program, long[] presetSlots, int targetPidfd, boolean joinPid) {
        return bornIn(joinPid ? targetPidfd : -1, () -> launch(program, presetSlots, -1));
    }

    /**
     * Runs {@code clone} (a launch) with the calling platform thread's pid_ns_for_children moved
     * into {@code pidNs} (a pidfd, or an fd of a pid namespace; -1: none) and back right after,
     * so the child is born in that pid namespace: setns(CLONE_NEWPID) in the child itself would
     * move only its children (linux.namespaces' pid `path`, and exec).
     */
    private static Launch bornIn(int pidNs, java.util.function.Supplier<Launch> clone) {
        if (pidNs < 0) {
            return clone.get();
        }
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a launch into a pid namespace must come from a platform thread (setns is per thread)");
        }
        if (Rootless.euid() != 0 || Rootless.inUserNamespace()) {
            return bornInOwnThread(pidNs, clone);
        }
        int ownPidns = Libc.open("/proc/self/ns/pid", Libc.O_RDONLY | Libc.O_CLOEXEC);
        SPAWN_LOCK.lock();
        try {
            Libc.setns(pidNs, (int) K.CLONE_NEWPID);
            try {
                return clone.get();
            } finally {
                Libc.setns(ownPidns, (int) K.CLONE_NEWPID);
            }
        } finally {
            SPAWN_LOCK.unlock();
            Libc.close(ownPidns);
        }
    }

    /**
     * {@link #bornIn} for a runtime that may not move back: setns(CLONE_NEWPID) needs
     * CAP_SYS_ADMIN over the pid namespace it enters, and the runtime's own belongs to a user
     * namespace above its own when it runs in one (rootless podman's: root there, nobody in the
     * initial one). A platform thread of its own joins the container's, clones, and ends; the
     * calling thread's pid_ns_for_children is never changed.
     */
    private static Launch bornInOwnThread(int pidNs, java.util.function.Supplier<Launch> clone) {
        Launch[] launched = new Launch[1];
        RuntimeException[] failed = new RuntimeException[1];
        Thread t = Thread.ofPlatform().name("isthmus-born-in").unstarted(() -> {
            try {
                Libc.setns(pidNs, (int) K.CLONE_NEWPID);
                LAUNCHED_FOR_ANOTHER.set(true); // the caller follows the launch and closes its image
                launched[0] = clone.get();
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the launch must be known before this returns
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return launched[0];
    }

    /**
     * What a command that launches a container does once before its first launch, done ahead (on
     * a second thread while the command reads its config and plans, issue 16): the first link of
     * the one downcall shape (Native.Call, which sigaction and the stub's entry share, about 40
     * classes the AOT cache cannot hold) and the stub's mapping, read from the jar.
     */
    public static void warmUp() {
        Libc.warmUp();
        Stub.base();
    }

    /** {@link #launch(Program, int, int)}, born in the pid namespace {@code pidNs} (-1: the runtime's). */
    public static Launch launch(Program program, int consoleFd, int cgroupFd, int pidNs) {
        return bornIn(pidNs, () -> launch(program, consoleFd, cgroupFd));
    }

    /**
     * Clones the JVM's child of a parked init: it runs {@code parked}'s table up to the execveat
     * of a sealed memfd holding the same table as a static ELF image ({@link ElfImage}), which
     * then runs from {@code imageStart}, so the parked process holds a few pages instead of a
     * copy of the JVM (DESIGN.md). Follow it with {@link Launch#awaitExec()}, which returns once
     * the init reports READY. The init reads its start byte from {@code execFifo}, opened here.
     */
    public static Launch launchParked(dev.isthmus.plan.Planner.Parked parked, int consoleFd, java.nio.file.Path execFifo, int pidNs) {
        return bornIn(pidNs, () -> launchParked(parked, consoleFd, execFifo));
    }

    private static Launch launchParked(dev.isthmus.plan.Planner.Parked parked, int consoleFd, java.nio.file.Path execFifo) {
        if (parked.program().imageStart() != parked.imageStart()) {
            throw new IllegalArgumentException("a parked program starts its image at " + parked.imageStart());
        }
        long[] slots = new long[Step.SLOTS];
        slots[Program.CONSOLE] = consoleFd;
        // Opened here, by the runtime, not by the init: an init in a user namespace that maps its
        // root to another host uid could not open the runtime's FIFO (EACCES), and the init never
        // looks a host path up. Read-write: the open does not wait for a writer.
        int fifo = Libc.open(execFifo.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
        try {
            slots[Program.FIFO] = fifo;
            return clone(parked.program(), slots, -1, true);
        } finally {
            Libc.close(fifo); // the child has its own copy
        }
    }
}
