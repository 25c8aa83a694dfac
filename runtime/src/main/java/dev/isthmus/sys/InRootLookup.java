package dev.isthmus.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The runtime's own look at a path inside a running container's root: openat2 from the root of
 * process PID ({@code /proc/PID/root}) with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, so the
 * container's absolute symlinks and ".." stay in its root, as they will for its process. Used
 * by create to report a missing executable before start (as runc's create does), while the
 * parked init waits with its mounts done.
 */
public final class InRootLookup {
    private InRootLookup() {}

    /**
     * The errno of the first candidate that fails with something other than ENOENT/ENOTDIR, or
     * ENOENT when none exists, or 0 when one opens (O_PATH) as a regular file; relative
     * candidates are taken from {@code cwd}. -1: the root of {@code pid} could not be opened (not
     * judged: the exec will say).
     */
    public static int findExecutable(int pid, String cwd, List<String> candidates) {
        int root = openRoot(pid);
        if (root < 0) {
            return -1;
        }
        try {
            int worst = Errno.ENOENT.number();
            for (String c : candidates) {
                String inRoot = c.startsWith("/") ? c : (cwd.endsWith("/") ? cwd : cwd + "/") + c;
                int r = statRegular(root, inRoot);
                if (r == 0) {
                    return 0;
                }
                if (r != Errno.ENOENT.number() && r != Errno.ENOTDIR.number() && candidates.size() == 1) {
                    worst = r;
                }
            }
            return worst;
        } finally {
            Libc.close(root);
        }
    }

    /** 0 when {@code path} opens under {@code root} as a regular file, else the errno (EACCES for a directory, as execve). */
    private static int statRegular(int root, String path) {
        int fd = open(root, path, Libc.O_PATH | Libc.O_CLOEXEC);
        if (fd < 0) {
            return -fd;
        }
        try {
            return java.nio.file.Files.isRegularFile(java.nio.file.Path.of("/proc/self/fd/" + fd)) ? 0 : Errno.EACCES.number();
        } finally {
            Libc.close(fd);
        }
    }

    /** The root of process {@code pid} (O_PATH), or -errno. */
    public static int openRoot(int pid) {
        try {
            return Libc.open("/proc/" + pid + "/root", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        } catch (SysException e) {
            return -e.errno();
        }
    }

    /** openat2(root, path, {flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS}): the fd, or -errno. */
    public static int open(int root, String path, long flags) {
        // Through the runtime's one syscall shape (Libc): a shape of its own cost create
        // another FFM link, about 10 ms in a fresh JVM (issue 16).
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, flags);
            how.set(ValueLayout.JAVA_LONG, 8, 0L);
            how.set(ValueLayout.JAVA_LONG, 16, K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS);
            long fd = Libc.syscall(Syscall.OPENAT2, root, a.allocateFrom(path).address(), how.address(), 24, 0, 0);
            return (int) fd;
        }
    }
}
