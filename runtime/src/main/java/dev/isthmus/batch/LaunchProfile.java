package dev.isthmus.batch;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.SysException;
import dev.isthmus.sys.Syscall;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one container's launch time goes, measured by the stub itself: the template's program
 * with a {@code clock_gettime(CLOCK_MONOTONIC)} and a 16-byte {@code write} to a pipe before
 * every step, so the child reports when it reached each step, in the JVM's child and in the
 * init image alike (the pipe is kept across the image's exec as the error pipe is, and closes at
 * the program's own execve). The parent adds its own clock (the JVM's nanoTime is the same
 * CLOCK_MONOTONIC) before the launch and when the pidfd says the task has ended.
 *
 * <p>A profiled launch makes two more system calls per step than a real one (a fraction of a
 * microsecond each here); {@link Result#overheadMicros} states what they add.
 */
public final class LaunchProfile {
    private LaunchProfile() {}

    /** One row: a group of steps, its mean time per launch and its share of the launch. */
    public record Row(String group, double micros, double share) {}

    /**
     * @param rows           per group, in launch order
     * @param launchMicros   mean time from before the launch to the reaped task
     * @param floorMicros    the same for a bare clone3 + execve + reap of the program with the same namespaces, no steps
     * @param overheadMicros the profiling steps' own cost per launch (their count times their measured mean)
     * @param steps          steps per launch
     */
    public record Result(List<Row> rows, double launchMicros, double floorMicros, double overheadMicros, int steps, int launches,
            List<Row> slowestSteps) {}

    /** The groups a step belongs to, from the planner's own descriptions (Step#what). */
    static String group(Program p, int i) {
        Step s = p.steps().get(i);
        String what = s.what();
        if (p.imageStart() > 0 && i < p.imageStart()) {
            return "child start: pipes, fds, exec of the init image";
        }
        if (i >= p.processStart()) {
            return s.call() == Syscall.EXECVE || s.call() == Syscall.EXECVEAT || what.startsWith("open the program")
                    || s.call() == Syscall.OPENAT2 || s.call() == Syscall.OPENAT
                    ? "program lookup (openat2 in the root)" : "process: ids, capabilities, rlimits, signals";
        }
        if (what.startsWith("join the batch's template") || what.startsWith("close the template") || what.startsWith("copy it into")) {
            return "template mount namespace: setns, copy";
        }
        if (what.startsWith("make / ") || what.startsWith("bind the rootfs") || what.startsWith("pivot_root")
                || what.startsWith("detach the old root") || what.startsWith("chdir to /") || what.startsWith("remount the root")
                || what.startsWith("move the rootfs") || what.startsWith("chroot")) {
            return "root: slave, bind, pivot_root, read-only";
        }
        if (what.contains("mask")) {
            return "masked paths";
        }
        if (what.contains("read-only") || what.contains("readonly")) {
            return "read-only paths";
        }
        if (s.call() == Syscall.MKNODAT || s.call() == Syscall.SYMLINKAT) {
            return "/dev nodes and links";
        }
        if (what.contains("cgroup")) {
            return "cgroup mount";
        }
        if (what.startsWith("set the hostname") || what.startsWith("set the domainname") || what.contains("sysctl")) {
            return "hostname, sysctl";
        }
        return "mounts (config's mounts[])";
    }

    /**
     * {@code p} with the timing steps: before every step a clock_gettime into slots
     * {@code ts}, {@code ts + 1} and a write of those 16 bytes to the fd in slot {@code prof}.
     */
    static Program instrument(Program p, int prof, int ts) {
        List<Step> steps = p.steps();
        List<Step> out = new ArrayList<>(3 * steps.size() + 1);
        int imageStart = -1;
        int processStart = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (i == p.imageStart()) {
                imageStart = out.size();
            }
            if (i == p.processStart()) {
                processStart = out.size();
            }
            if (p.imageStart() > 0 && i == p.imageStart() - 1) {
                // the exec of the init image: keep the pipe open across it, as the error pipe is
                out.add(Step.unchecked(Syscall.FCNTL, "keep the profile pipe open across the image's exec", new Arg.Slot(prof),
                        new Arg.Imm(2, "F_SETFD"), new Arg.Imm(0, null)));
            }
            out.add(Step.unchecked(Syscall.CLOCK_GETTIME, "profile: time", new Arg.Imm(1, "CLOCK_MONOTONIC"), new Arg.SlotAddr(ts)));
            out.add(Step.unchecked(Syscall.WRITE, "profile: report", new Arg.Slot(prof), new Arg.SlotAddr(ts), new Arg.Imm(16, null)));
            out.add(steps.get(i));
        }
        if (p.processStart() == steps.size()) {
            processStart = out.size();
        }
        return new Program(p.cloneFlags(), out, p.uidMap(), p.gidMap(), p.denySetgroups(), p.waitsForParent(), processStart,
                p.oomScoreAdj(), imageStart);
    }

    /** Two slots no step of {@code p} uses: one for the pipe, the first of two adjacent ones for the timespec (TARGET and below are the spawner's). */
    static int[] freeSlots(Program p) {
        boolean[] used = new boolean[Step.SLOTS];
        for (int s = 0; s <= Program.TARGET; s++) {
            used[s] = true; // the spawner's, and TARGET: a batch task's template namespace
        }
        for (Step s : p.steps()) {
            if ((s.flags() & Step.STORE) != 0) {
                used[s.storeSlot()] = true;
            }
            for (Arg a : s.args()) {
                if (a instanceof Arg.Slot(int slot)) {
                    used[slot] = true;
                } else if (a instanceof Arg.SlotAddr(int slot)) {
                    used[slot] = true;
                    if (slot + 1 < Step.SLOTS) {
                        used[slot + 1] = true; // a struct may span the next slot (e.g. a timespec)
                    }
                }
            }
        }
        // one slot for the pipe, then two adjacent ones for the timespec
        int[] out = new int[2];
        out[0] = -1;
        out[1] = -1;
        for (int s = Step.SLOTS - 2; s > Program.TARGET && out[1] < 0; s--) {
            if (!used[s] && !used[s + 1]) {
                out[1] = s;
            }
        }
        for (int s = Program.TARGET + 1; s < Step.SLOTS && out[0] < 0; s++) {
            if (!used[s] && s != out[1] && s != out[1] + 1) {
                out[0] = s;
            }
        }
        if (out[0] < 0 || out[1] < 0) {
            throw new IllegalStateException("the program uses too many slots to be profiled");
        }
        return out;
    }

    /**
     * Launches {@code program} {@code n} times, one at a time, with the timing steps, and the
     * floor {@code floor} (a bare clone3 + execve of the same namespaces) as many times,
     * alternated; every launch is reaped before the next.
     */
    public static Result measure(Program program, Program floor, int cgroupFd, long[] taskSlots, int n) {
        int[] slots = freeSlots(program);
        int prof = slots[0];
        int ts = slots[1];
        Program timed = instrument(program, prof, ts);
        int stepCount = program.steps().size();
        double[] perStep = new double[stepCount];
        double clone = 0;
        double end = 0;
        double total = 0;
        double floorTotal = 0;
        Program pairs = timingPairs(prof, ts);
        double overhead = 0;
        for (int k = 0; k < n; k++) {
            long[] times = launchTimed(timed, prof, cgroupFd, taskSlots, stepCount);
            // times[0]: before the launch; times[1 + i]: the child reached step i; last: reaped
            int reached = (int) times[times.length - 2];
            long reaped = times[times.length - 1];
            clone += times[1] - times[0];
            for (int i = 0; i < reached - 1; i++) {
                perStep[i] += times[2 + i] - times[1 + i];
            }
            end += reaped - times[reached];
            total += reaped - times[0];
            floorTotal += launchFloor(floor, cgroupFd);
            overhead += timingStepNanos(pairs, prof);
        }
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("runtime: image, memfd, clone3 with the namespaces", clone / n);
        for (int i = 0; i < stepCount; i++) {
            groups.merge(group(program, i), perStep[i] / n, Double::sum);
        }
        groups.put("execve, the program's run and exit, the reap", end / n);
        double launch = total / n;
        double stepOverhead = overhead / n * stepCount;
        List<Row> rows = new ArrayList<>();
        groups.forEach((g, nanos) -> rows.add(new Row(g, nanos / 1000, nanos / launch)));
        List<Row> slowest = new ArrayList<>();
        Integer[] order = new Integer[stepCount];
        for (int i = 0; i < stepCount; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(perStep[b], perStep[a]));
        for (int i = 0; i < Math.min(12, stepCount); i++) {
            int s = order[i];
            slowest.add(new Row(s + " " + program.steps().get(s).call().kernelName() + ": " + program.steps().get(s).what(),
                    perStep[s] / n / 1000, perStep[s] / n / launch));
        }
        return new Result(rows, launch / 1000, floorTotal / n / 1000, stepOverhead / 1000, stepCount, n, slowest);
    }

    /** {before, reached step 0, ..., reached step k - 1, 0..., k, reaped}. */
    private static long[] launchTimed(Program timed, int prof, int cgroupFd, long[] taskSlots, int stepCount) {
        long[] times = new long[stepCount + 3];
        Reaped r = launchAndReap(timed, taskSlots, prof, cgroupFd, stepCount + 1, "a profiled launch");
        int reached = r.records().length / 16;
        if (reached == 0) {
            throw new IllegalStateException("a profiled launch reported no step");
        }
        ByteBuffer b = ByteBuffer.wrap(r.records()).order(ByteOrder.LITTLE_ENDIAN);
        times[0] = r.start();
        for (int i = 0; i < reached; i++) {
            times[1 + i] = stamp(b, i);
        }
        times[times.length - 2] = reached;
        times[times.length - 1] = r.reaped();
        return times;
    }

    /** A launch followed to its reap: when it began and ended (nanoTime), and the timing records it wrote. */
    private record Reaped(long start, long reaped, byte[] records) {}

    /**
     * Launches {@code p} with {@code slots} (and, when {@code prof} is a slot, a pipe's write end
     * in it, read to its end for up to {@code maxRecords} records), follows it to its exec and
     * reaps it; a failed launch is an IllegalStateException naming {@code what}.
     */
    private static Reaped launchAndReap(Program p, long[] slots, int prof, int cgroupFd, int maxRecords, String what) {
        int[] pipe = prof < 0 ? null : Libc.pipe2(Libc.O_CLOEXEC);
        long[] preset = slots.clone();
        if (pipe != null) {
            preset[prof] = pipe[1];
        }
        Spawner.Launch launch;
        long start = System.nanoTime();
        try {
            launch = Spawner.launch(p, preset, cgroupFd);
        } finally {
            if (pipe != null) {
                Libc.close(pipe[1]);
            }
        }
        try {
            launch.awaitExec();
        } catch (dev.isthmus.sys.SpawnException e) {
            if (pipe != null) {
                Libc.close(pipe[0]);
            }
            Libc.close(launch.pidfd());
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } finally {
            launch.close();
        }
        byte[] records = new byte[0];
        if (pipe != null) {
            records = readAll(pipe[0], 16 * maxRecords);
            Libc.close(pipe[0]);
        }
        Libc.waitPidfd(launch.pidfd(), false);
        long reaped = System.nanoTime();
        Libc.close(launch.pidfd());
        return new Reaped(start, reaped, records);
    }

    /** Record {@code i}: a struct timespec, in nanoseconds. */
    private static long stamp(ByteBuffer b, int i) {
        return b.getLong(16 * i) * 1_000_000_000L + b.getLong(16 * i + 8);
    }

    private static byte[] readAll(int fd, int max) {
        byte[] buf = new byte[max];
        int n = 0;
        while (n < max) {
            byte[] chunk = new byte[max - n];
            int r = Libc.read(fd, chunk, chunk.length);
            if (r == 0) {
                break;
            }
            System.arraycopy(chunk, 0, buf, n, r);
            n += r;
        }
        return java.util.Arrays.copyOf(buf, n - n % 16);
    }

    /** Nanoseconds from before a bare launch to its reap. */
    private static long launchFloor(Program floor, int cgroupFd) {
        Reaped r = launchAndReap(floor, new long[Step.SLOTS], -1, cgroupFd, 0, "the floor's launch");
        return r.reaped() - r.start();
    }

    private static final int PAIRS = 64;

    /** {@link #PAIRS} timing pairs, then exit. */
    private static Program timingPairs(int prof, int ts) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            steps.add(Step.unchecked(Syscall.CLOCK_GETTIME, "profile: time", new Arg.Imm(1, "CLOCK_MONOTONIC"), new Arg.SlotAddr(ts)));
            steps.add(Step.unchecked(Syscall.WRITE, "profile: report", new Arg.Slot(prof), new Arg.SlotAddr(ts), new Arg.Imm(16, null)));
        }
        steps.add(Step.of(Syscall.EXIT_GROUP, "end", new Arg.Imm(0, null)));
        return new Program(0, steps, "", "", false, false);
    }

    /**
     * The cost of one timing pair (clock_gettime + write), measured in a child of its own running
     * {@code p} (its exit_group closes the error pipe as an exec would).
     */
    private static double timingStepNanos(Program p, int prof) {
        Reaped r = launchAndReap(p, new long[Step.SLOTS], prof, -1, PAIRS + 1, "the timing steps' launch");
        if (r.records().length < 32) {
            throw new SysException("profile: the timing steps reported nothing", 0);
        }
        ByteBuffer b = ByteBuffer.wrap(r.records()).order(ByteOrder.LITTLE_ENDIAN);
        int k = r.records().length / 16;
        return (double) (stamp(b, k - 1) - stamp(b, 0)) / (k - 1);
    }
}
