package dev.isthmus.batch;

import dev.isthmus.cgroup.Cgroup;
import dev.isthmus.cgroup.ContainerCgroup;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxResources;
import dev.isthmus.sys.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one cgroup a batch's tasks share when its template sets linux.resources: made once, with
 * the template's device rules and limits, before the first task starts, and removed when the
 * batch ends. The limits hold for the batch's running tasks together (one memory limit, one
 * pids limit for all of them); device rules hold for each task alike.
 *
 * <p>No task is migrated. Its cgroup v2 directory (the whole cgroup on a v2 host, the hugetlb
 * part on this hybrid one) is given to clone3 (CLONE_INTO_CGROUP). A v1 hierarchy has no such
 * flag, but a child starts in its parent thread's v1 cgroups: so each launcher thread moves
 * itself into the v1 directories once ({@link #join}, a write of "0" to their {@code tasks}
 * file, about 10 ms), and every task it clones is born there. What that thread allocates is still
 * charged to the runtime's own memory cgroup (a page is charged to its mm's owner's), and the
 * OOM killer of the batch's memory cgroup chooses among the processes whose leader is in it, so
 * a task that exhausts the limit is killed and the runtime is not (tested with a limit below
 * the runtime's own RSS).
 */
final class BatchCgroup implements AutoCloseable {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Cgroup cgroup;
    /** Holds the cgroup's record (Cgroup#save): only this batch reads it, and it goes at close. */
    private final Path recordDir;
    private final int v2Fd;

    private BatchCgroup(Cgroup cgroup, Path recordDir, int v2Fd) {
        this.cgroup = cgroup;
        this.recordDir = recordDir;
        this.v2Fd = v2Fd;
    }

    /** Whether {@code template} asks for anything a cgroup would enforce. */
    static boolean wanted(Config template) {
        LinuxResources r = template.linux() == null ? null : template.linux().resources();
        return r != null && (!r.devices().isEmpty() || r.memory() != null || r.cpu() != null || r.pids() != null
                || r.blockIO() != null || !r.hugepageLimits().isEmpty() || r.network() != null || !r.rdma().isEmpty()
                || !r.unified().isEmpty());
    }

    /**
     * Makes the batch's cgroup: at linux.cgroupsPath when set, else /isthmus/batch-PID-N, with the
     * template's resources applied. IllegalArgumentException naming the field the host refuses;
     * nothing is left behind then.
     */
    static BatchCgroup make(Config template) throws IOException {
        String id = "batch-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        ContainerCgroup prepared = ContainerCgroup.prepare(id, template);
        Path recordDir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), "isthmus-" + id + "-" + System.nanoTime()));
        Cgroup made;
        try {
            made = prepared.make(recordDir); // removes what it made when a value is refused
        } catch (IOException | RuntimeException e) {
            deleteRecord(recordDir);
            throw e;
        }
        int fd = -1;
        try {
            for (Cgroup.Dir d : made.dirs()) {
                if (d.v2()) {
                    fd = Libc.open(d.path().toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
                }
            }
        } catch (RuntimeException e) {
            try {
                made.remove(1000);
            } finally {
                deleteRecord(recordDir);
            }
            throw e;
        }
        return new BatchCgroup(made, recordDir, fd);
    }

    /** The v2 directory's fd for CLONE_INTO_CGROUP, or -1 when the cgroup has none. */
    int v2Fd() {
        return v2Fd;
    }

    /** The directories tasks end up in, v1 and v2 (for tests and messages). */
    List<Path> dirs() {
        List<Path> out = new ArrayList<>();
        for (Cgroup.Dir d : cgroup.dirs()) {
            out.add(d.path());
        }
        return out;
    }

    /**
     * Moves the calling thread (only it, not the JVM) into every v1 directory, so that the tasks
     * it clones start there. IOException naming the directory that refused.
     */
    void join() throws IOException {
        for (Cgroup.Dir d : cgroup.dirs()) {
            if (!d.v2()) {
                try {
                    Files.writeString(d.path().resolve("tasks"), "0");
                } catch (IOException e) {
                    throw new IOException("cannot move a launcher thread into the batch's cgroup " + d.path() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Removes the directories and the record, once every task has been reaped and the launcher
     * threads have ended: their exit empties the v1 directories. (No kill of what is left: while
     * a launcher thread is in a v1 directory, its cgroup.procs names the runtime itself.)
     */
    @Override
    public void close() throws IOException {
        if (v2Fd >= 0) {
            Libc.close(v2Fd);
        }
        try {
            cgroup.remove(5000);
        } finally {
            deleteRecord(recordDir);
        }
    }

    private static void deleteRecord(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
