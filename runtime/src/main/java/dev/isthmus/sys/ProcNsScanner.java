package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * One pass over a proc directory: lists its numeric entries with getdents64(2) and reads one
 * namespace link of each with readlinkat(2) relative to the directory's fd, comparing the link
 * text ("mnt:[4026532449]") with a target. Every buffer (the directory entries, the
 * "PID/ns/TYPE" path, the link text, errno's capture) is allocated once per scanner, so a pass
 * allocates nothing per entry. Not thread-safe: one scanner per thread.
 */
public final class ProcNsScanner implements AutoCloseable {
    private static final MethodHandle GETDENTS = Native.linkErrno(Linux.getdents64$address(), Linux.getdents64$descriptor());
    private static final MethodHandle READLINKAT = Native.linkErrno(Linux.readlinkat$address(), Linux.readlinkat$descriptor());
    private static final MethodHandle LSEEK = Native.linkErrno(Linux.lseek$address(), Linux.lseek$descriptor());
    private static final int SEEK_SET = Linux.SEEK_SET();
    private static final int ENOENT = Linux.ENOENT();
    private static final int ESRCH = Linux.ESRCH();
    /** Offsets in struct linux_dirent64: d_ino 0, d_off 8, d_reclen 16, d_type 18, d_name 19. */
    private static final long RECLEN = 16;
    private static final long NAME = 19;
    private static final byte[] NS = "/ns/".getBytes(StandardCharsets.US_ASCII);

    private final Arena arena = Arena.ofConfined();
    private final String dir;
    private final int dirfd;
    private final MemorySegment dents = arena.allocate(32 * 1024, 8);
    private final MemorySegment path = arena.allocate(64);
    private final MemorySegment link = arena.allocate(128);
    private final MemorySegment want = arena.allocate(128);
    private final MemorySegment cap = Native.captureSegment(arena);

    private ProcNsScanner(String dir, int dirfd) {
        this.dir = dir;
        this.dirfd = dirfd;
    }

    /** A scanner of {@code procDir} (/proc, or a tree laid out like it). */
    public static ProcNsScanner open(String procDir) {
        return new ProcNsScanner(procDir, Libc.open(procDir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC));
    }

    /**
     * Reads {@code procDir/PID/ns/TYPE} of every entry and hands each pid whose link text equals
     * {@code target} to {@code member}. Entries that vanish during the pass (ENOENT, ESRCH; a
     * zombie's links are ENOENT too) are skipped; returns how many others could not be read.
     */
    public int pass(String type, byte[] target, IntConsumer member) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        if (typeBytes.length > 16 || target.length > link.byteSize()) {
            throw new IllegalArgumentException("namespace type or link too long: " + type);
        }
        MemorySegment.copy(target, 0, want, ValueLayout.JAVA_BYTE, 0, target.length);
        try {
            rewind();
            int unreadable = 0;
            while (true) {
                long n = (long) GETDENTS.invokeExact(cap, dirfd, dents, dents.byteSize());
                if (n < 0) {
                    throw new SysException("getdents64 " + dir, Native.errno(cap));
                }
                if (n == 0) {
                    return unreadable;
                }
                for (long off = 0; off < n; off += dents.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + RECLEN)) {
                    int pid = pidOf(off + NAME);
                    if (pid <= 0) {
                        continue; // ".", "..", self, sys...: not a process
                    }
                    // path = NAME "/ns/" TYPE NUL
                    long p = 0;
                    for (long i = off + NAME; ; i++, p++) {
                        byte b = dents.get(ValueLayout.JAVA_BYTE, i);
                        if (b == 0) {
                            break;
                        }
                        path.set(ValueLayout.JAVA_BYTE, p, b);
                    }
                    MemorySegment.copy(NS, 0, path, ValueLayout.JAVA_BYTE, p, NS.length);
                    p += NS.length;
                    MemorySegment.copy(typeBytes, 0, path, ValueLayout.JAVA_BYTE, p, typeBytes.length);
                    path.set(ValueLayout.JAVA_BYTE, p + typeBytes.length, (byte) 0);
                    long len = (long) READLINKAT.invokeExact(cap, dirfd, path, link, link.byteSize());
                    if (len < 0) {
                        int errno = Native.errno(cap);
                        if (errno != ENOENT && errno != ESRCH) {
                            unreadable++;
                        }
                    } else if (len == target.length && MemorySegment.mismatch(link, 0, len, want, 0, len) == -1) {
                        member.accept(pid);
                    }
                }
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The decimal pid spelled by the NUL-terminated name at {@code at}, or -1 when it is not one. */
    private int pidOf(long at) {
        int pid = 0;
        for (long i = at; ; i++) {
            byte b = dents.get(ValueLayout.JAVA_BYTE, i);
            if (b == 0) {
                return i == at ? -1 : pid;
            }
            if (b < '0' || b > '9' || i - at > 9) {
                return -1;
            }
            pid = pid * 10 + (b - '0');
        }
    }

    private void rewind() throws Throwable {
        if ((long) LSEEK.invokeExact(cap, dirfd, 0L, SEEK_SET) < 0) {
            throw new SysException("lseek " + dir, Native.errno(cap));
        }
    }

    @Override
    public void close() {
        Libc.close(dirfd);
        arena.close();
    }
}
