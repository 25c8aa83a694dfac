package dev.isthmus.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * A spawn program: the clone3 flags and the steps the child runs before (and including) execve,
 * plus what the parent must do between clone and exec. Immutable; laid out in native memory by
 * the sys package and run by the stub, or run by {@link Interpreter} against a fake kernel.
 *
 * <p>Slots {@link #SYNC_READ} and {@link #SYNC_WRITE} are inputs, filled per launch with the two
 * ends of the synchronisation pipe when {@link #waitsForParent()}, and {@link #CONSOLE} with the
 * console pty's slave fd for a terminal; the others belong to steps.
 *
 * @param cloneFlags    the CLONE_* flags for clone3 (namespaces; CLONE_VM etc. are the spawner's)
 * @param steps         the child's steps, normally ending in execve
 * @param uidMap        lines for /proc/PID/uid_map, written by the parent (empty: none)
 * @param gidMap        lines for /proc/PID/gid_map
 * @param denySetgroups write "deny" to /proc/PID/setgroups before gid_map (unprivileged maps)
 * @param waitsForParent the child blocks on the sync pipe until the parent has done its part
 * @param processStart  index of the first step that depends only on {@code process} (credentials,
 *                      cwd, fds, exec): what a many-task launcher replaces per task
 * @param oomScoreAdj   for /proc/PID/oom_score_adj, written by the parent before the id maps
 *                      (empty: none): a child in a new user namespace may not lower its own
 * @param imageStart    the first step run by the sealed memfd image the JVM's child execs into
 *                      (slot {@link #IMAGE}), or -1 when the whole program runs in the JVM's child:
 *                      from that step on, the process holds no memory, fd or /proc/PID/exe of the
 *                      runtime's (DESIGN.md, "The container is hostile")
 */
public record Program(long cloneFlags, List<Step> steps, String uidMap, String gidMap, boolean denySetgroups,
        boolean waitsForParent, int processStart, String oomScoreAdj, int imageStart) {

    public static final int SYNC_READ = 0;
    public static final int SYNC_WRITE = 1;
    /** The slave side of the console pty, when process.terminal is set. */
    public static final int CONSOLE = 2;
    /** A parked init's error pipe (write end), kept open across the exec of its image. */
    public static final int ERR = 3;
    /** A parked init's image: the memfd holding the ELF the child execs. */
    public static final int IMAGE = 4;
    /** A parked init's exec FIFO, opened read-write by the runtime and kept across the image's exec. */
    public static final int FIFO = 5;
    /** For exec: a pidfd of the container's init, whose namespaces the child joins. */
    public static final int TARGET = 6;
    /** For hooks: the read end of the pipe carrying the state JSON, which becomes stdin. */
    public static final int STDIN = 7;
    /**
     * For a parked init: the read end of create's commit pipe. After READY the init waits for a
     * byte on it, written once create has recorded the container: a create killed before that
     * leaves no parked init behind (EOF ends it). A hook is never parked, so it shares STDIN's slot.
     */
    public static final int COMMIT = STDIN;
    /**
     * The second word of the record a forking exec writes to the error pipe (slot {@link #FIFO},
     * preset to it; the first word, slot {@link #IMAGE}, holds the fork's result), so that the
     * parent tells it from a (step, errno) failure record: {@code "ISTHFORK"} little-endian.
     */
    public static final long FORK_MARK = 0x4b524f4648545349L;
    /** First slot free for steps. */
    public static final int FIRST_FREE_SLOT = 8;

    /** A program with no process part of its own (all steps are the set-up's). */
    public Program(long cloneFlags, List<Step> steps, String uidMap, String gidMap, boolean denySetgroups, boolean waitsForParent) {
        this(cloneFlags, steps, uidMap, gidMap, denySetgroups, waitsForParent, steps.size());
    }

    /** A program whose parent writes no oom_score_adj. */
    public Program(long cloneFlags, List<Step> steps, String uidMap, String gidMap, boolean denySetgroups, boolean waitsForParent,
            int processStart) {
        this(cloneFlags, steps, uidMap, gidMap, denySetgroups, waitsForParent, processStart, "");
    }

    /** A program run wholly by the JVM's child (no image). */
    public Program(long cloneFlags, List<Step> steps, String uidMap, String gidMap, boolean denySetgroups, boolean waitsForParent,
            int processStart, String oomScoreAdj) {
        this(cloneFlags, steps, uidMap, gidMap, denySetgroups, waitsForParent, processStart, oomScoreAdj, -1);
    }

    public Program {
        steps = List.copyOf(steps);
        if (processStart < 0 || processStart > steps.size()) {
            throw new IllegalArgumentException("processStart out of range: " + processStart);
        }
        uidMap = uidMap == null ? "" : uidMap;
        gidMap = gidMap == null ? "" : gidMap;
        oomScoreAdj = oomScoreAdj == null ? "" : oomScoreAdj;
        if (imageStart < -1 || imageStart > processStart) {
            throw new IllegalArgumentException("imageStart out of range: " + imageStart);
        }
        if (!oomScoreAdj.isEmpty() && !waitsForParent) {
            throw new IllegalArgumentException("the parent writes oom_score_adj only for a child that waits for it");
        }
    }

    /** This program with every step from {@link #processStart} replaced by {@code processSteps}. */
    public Program withProcessSteps(List<Step> processSteps) {
        List<Step> all = new ArrayList<>(steps.subList(0, processStart));
        all.addAll(processSteps);
        return new Program(cloneFlags, all, uidMap, gidMap, denySetgroups, waitsForParent, processStart, oomScoreAdj, imageStart);
    }

    /** The program as an strace-like listing, one system call per line. */
    public List<String> listing(String cloneFlagNames) {
        List<String> out = new ArrayList<>(steps.size() + 4);
        out.add("clone3({flags=" + cloneFlagNames + "}) -> child");
        if (!oomScoreAdj.isEmpty()) {
            out.add("parent: write(\"/proc/CHILD/oom_score_adj\", \"" + oomScoreAdj + "\")");
        }
        if (!uidMap.isEmpty() || !gidMap.isEmpty()) {
            if (denySetgroups) {
                out.add("parent: write(\"/proc/CHILD/setgroups\", \"deny\")");
            }
            out.add("parent: write(\"/proc/CHILD/uid_map\", " + quoteLines(uidMap) + ")");
            out.add("parent: write(\"/proc/CHILD/gid_map\", " + quoteLines(gidMap) + ")");
        }
        if (waitsForParent) {
            out.add("parent: write($" + SYNC_WRITE + ", \"\\x00\", 1)");
        }
        for (int i = 0; i < steps.size(); i++) {
            out.add(String.format("%3d  %s", i, steps.get(i).render()));
        }
        return out;
    }

    private static String quoteLines(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}
