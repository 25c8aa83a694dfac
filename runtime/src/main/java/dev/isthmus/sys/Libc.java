package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.ffm.pollfd;
import dev.isthmus.ffm.siginfo_t;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The few libc calls the parent makes from Java, each linked once with errno capture (see
 * {@link Native}). Every method returns the call's result or throws {@link SysException}.
 */
public final class Libc {
    private Libc() {}

    // Each function is linked on its first call, in a holder class of its own: linking a
    // downcall spins classes the AOT cache cannot hold, and a short command needs few of them
    // (issue 16: start-up work proportional to the verb).
    /**
     * libc's syscall(3), called through the shared shape (Native.Call), for the calls of the
     * runtime's own commands (pipes, reads and writes, waits, the stub's memory, memfds, opens,
     * setns, prctl, pidfds, polls). Every distinct downcall links its own spun classes, which the AOT
     * cache cannot hold (about 5-10 ms each in a fresh JVM), and a jextract function's
     * `$address()` or `$descriptor()` links that function's own handle too: `run` made 18 such
     * links, `kill` one. Through this one handle they share one. Variadic after the number;
     * arguments a call does not take are zero. Numbers come from {@link Syscall}, per architecture.
     */
    private static final class RawSyscall {
        static final MemorySegment SYSCALL = Native.symbol("syscall");
    }

    /** A system call through {@link RawSyscall}: its result, or -errno. */
    static long syscall(Syscall call, long a1, long a2, long a3, long a4, long a5, long a6) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            long r = (long) Native.Call.H.invokeExact(RawSyscall.SYSCALL, cap, (long) call.number(), a1, a2, a3, a4, a5, a6);
            return r < 0 ? -Native.errno(cap) : r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Links {@link RawSyscall} and makes one harmless call through it (getpid): a command that
     * will make system calls runs this on a second thread at start, so that FFM's first link
     * (about 40 spun classes, 50-70 ms in a fresh JVM) overlaps with its argument parsing and
     * state reading instead of following them (issue 16).
     */
    public static void warmUp() {
        syscall(Syscall.GETPID, 0, 0, 0);
    }

    static long syscall(Syscall call, long a1, long a2, long a3) {
        return syscall(call, a1, a2, a3, 0, 0, 0);
    }

    public static final int O_CLOEXEC = Linux.O_CLOEXEC();
    public static final int O_NONBLOCK = Linux.O_NONBLOCK();
    public static final int PROT_READ = Linux.PROT_READ();
    public static final int PROT_WRITE = Linux.PROT_WRITE();
    public static final int PROT_EXEC = Linux.PROT_EXEC();
    public static final int MAP_PRIVATE = Linux.MAP_PRIVATE();
    public static final int MAP_ANONYMOUS = Linux.MAP_ANONYMOUS();
    public static final int P_PIDFD = Linux.P_PIDFD();
    public static final int WEXITED = Linux.WEXITED();
    public static final int WNOHANG = Linux.WNOHANG();
    public static final int CLD_EXITED = Linux.CLD_EXITED();

    /** pipe2(flags): {read end, write end}. */
    public static int[] pipe2(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            long r = syscall(Syscall.PIPE2, fds.address(), flags, 0);
            if (r < 0) {
                throw new SysException("pipe2", (int) -r);
            }
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    /** read(2) into {@code buf}, retrying EINTR; returns the byte count (0 at EOF). */
    public static int read(int fd, byte[] buf, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(1, len));
            while (true) {
                long r = syscall(Syscall.READ, fd, seg.address(), len);
                if (r >= 0) {
                    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, buf, 0, (int) r);
                    return (int) r;
                }
                if (r != -Errno.EINTR.number()) {
                    throw new SysException("read", (int) -r);
                }
            }
        }
    }

    /** write(2) of all of {@code data}, retrying EINTR and short writes. */
    public static void write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, 0, data.length);
            long off = 0;
            while (off < data.length) {
                long r = syscall(Syscall.WRITE, fd, seg.address() + off, data.length - off);
                if (r < 0) {
                    if (r == -Errno.EINTR.number()) {
                        continue;
                    }
                    throw new SysException("write", (int) -r);
                }
                off += r;
            }
        }
    }

    /** close(2); a failure is returned as -errno rather than thrown (cleanup paths). */
    public static int close(int fd) {
        if (fd < 0) {
            return 0;
        }
        long r = syscall(Syscall.CLOSE, fd, 0, 0);
        return r < 0 ? (int) r : 0;
    }

    /** mmap(2) of anonymous memory; returns the address. */
    static long mmapAnonymous(long size, int prot) {
        long r = syscall(Syscall.MMAP, 0, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r < 0) {
            throw new SysException("mmap", (int) -r);
        }
        return r;
    }

    static void mprotect(long address, long size, int prot) {
        long r = syscall(Syscall.MPROTECT, address, size, prot);
        if (r < 0) {
            throw new SysException("mprotect", (int) -r);
        }
    }

    /** How a child ended: exited with {@code code}, or was killed by {@code signal}. */
    public record ExitStatus(int code, int signal) {
        /** The shell's convention: the exit code, or 128 + the signal. */
        public int shellStatus() {
            return signal != 0 ? 128 + signal : code;
        }

        @Override
        public String toString() {
            return signal != 0 ? "killed by signal " + signal : "exited with " + code;
        }
    }

    /**
     * waitid(P_PIDFD, pidfd, WEXITED [| WNOHANG]), retrying EINTR. Returns null when
     * {@code noHang} and the child has not ended.
     */
    public static ExitStatus waitPidfd(int pidfd, boolean noHang) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(siginfo_t.layout());
            while (true) {
                long r = syscall(Syscall.WAITID, P_PIDFD, pidfd, info.address(), WEXITED | (noHang ? WNOHANG : 0), 0, 0); // no rusage
                if (r == 0) {
                    break;
                }
                if (r != -Errno.EINTR.number()) {
                    throw new SysException("waitid", (int) -r);
                }
            }
            MemorySegment child = siginfo_t._sifields._sigchld(siginfo_t._sifields(info));
            if (siginfo_t._sifields._sigchld.si_pid(child) == 0) {
                return null; // WNOHANG and still running: waitid leaves si_pid zero
            }
            int code = siginfo_t.si_code(info);
            int status = siginfo_t._sifields._sigchld.si_status(child);
            return code == CLD_EXITED ? new ExitStatus(status, 0) : new ExitStatus(0, status);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** pidfd_send_signal(2); returns 0 or -errno (ESRCH once the process is gone). */
    public static int pidfdSendSignal(int pidfd, int signal) {
        long r = syscall(Syscall.PIDFD_SEND_SIGNAL, pidfd, signal, 0); // info NULL, flags 0
        return r < 0 ? (int) r : 0;
    }

    /**
     * poll(2) for input on {@code fds} (a pidfd is readable once its process has exited); returns
     * the indexes of the ready ones (empty on timeout), retrying EINTR. Made as ppoll(2) through
     * the one syscall shape ({@link RawSyscall}: aarch64 has no poll, and a handle of its own cost
     * `start` two more FFM links, about 20 ms); a negative timeout waits without limit.
     */
    public static int[] pollIn(int[] fds, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(pollfd.layout(), Math.max(1, fds.length));
            for (int i = 0; i < fds.length; i++) {
                MemorySegment e = pollfd.asSlice(set, i);
                pollfd.fd(e, fds[i]);
                pollfd.events(e, (short) Linux.POLLIN());
            }
            long timeout = 0; // NULL: no limit
            if (timeoutMillis >= 0) {
                MemorySegment ts = a.allocate(16, 8);
                ts.set(ValueLayout.JAVA_LONG, 0, timeoutMillis / 1000);
                ts.set(ValueLayout.JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
                timeout = ts.address();
            }
            long r;
            while ((r = syscall(Syscall.PPOLL, set.address(), fds.length, timeout, 0, 8, 0)) < 0) {
                if (r != -Errno.EINTR.number()) {
                    throw new SysException("ppoll", (int) -r);
                }
            }
            int[] ready = new int[(int) r];
            int k = 0;
            for (int i = 0; i < fds.length && k < r; i++) {
                if (pollfd.revents(pollfd.asSlice(set, i)) != 0) {
                    ready[k++] = i;
                }
            }
            return k == r ? ready : java.util.Arrays.copyOf(ready, k);
        }
    }

    public static final int O_RDONLY = Linux.O_RDONLY();
    public static final int O_RDWR = Linux.O_RDWR();
    public static final int O_NOCTTY = Linux.O_NOCTTY();
    public static final int O_DIRECTORY = Arch.planning().oDirectory(); // differs by architecture
    public static final int O_PATH = Linux.O_PATH();

    /** openat(AT_FDCWD, path, flags, 0); returns the fd. */
    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            long fd = syscall(Syscall.OPENAT, Linux.AT_FDCWD(), a.allocateFrom(path).address(), flags, 0, 0, 0);
            if (fd < 0) {
                throw new SysException("open " + path, (int) -fd);
            }
            return (int) fd;
        }
    }

    public static final int O_WRONLY = Linux.O_WRONLY();

    private static final int S_IFIFO = 0010000;

    /** mkfifo(3) with {@code mode}: mknodat(AT_FDCWD, path, S_IFIFO | mode, 0), as libc makes it. */
    public static void mkfifo(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            long r = syscall(Syscall.MKNODAT, Linux.AT_FDCWD(), a.allocateFrom(path).address(), S_IFIFO | mode, 0, 0, 0);
            if (r < 0) {
                throw new SysException("mkfifo " + path, (int) -r);
            }
        }
    }

    /** pidfd_open(2); returns the pidfd, or -errno (ESRCH: no such process). */
    public static int pidfdOpen(int pid) {
        return (int) syscall(Syscall.PIDFD_OPEN, pid, 0, 0);
    }

    /** pidfd_getfd(2): a copy (close-on-exec) of fd {@code targetFd} of the process of {@code pidfd}. */
    public static int pidfdGetfd(int pidfd, int targetFd) {
        long fd = syscall(Syscall.PIDFD_GETFD, pidfd, targetFd, 0);
        if (fd < 0) {
            throw new SysException("take fd " + targetFd + " of the container's init (pidfd_getfd)", (int) -fd);
        }
        return (int) fd;
    }

    /** umount2(2) with {@code flags}; 0, or -errno. */
    public static int umount2(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            long r = syscall(Syscall.UMOUNT2, a.allocateFrom(path).address(), flags, 0);
            return r < 0 ? (int) r : 0;
        }
    }

    /** setns(2) of the calling thread. */
    public static void setns(int fd, int nstype) {
        long r = syscall(Syscall.SETNS, fd, nstype, 0);
        if (r < 0) {
            throw new SysException("setns", (int) -r);
        }
    }

    /**
     * prctl(PR_SET_DUMPABLE, 0) on the calling process. Dumpability belongs to the memory map, which
     * a CLONE_VM child shares: set in the JVM before clone3, the child is non-dumpable from its first
     * instruction, also where it is born inside a container's pid namespace (exec).
     */
    public static void makeNonDumpable() {
        setDumpable(false);
    }

    /**
     * prctl(PR_SET_DUMPABLE, 0 or 1). Only a rootless parent makes itself dumpable again, for the
     * moment it writes a child's id maps (see {@link Spawner}).
     */
    public static void setDumpable(boolean dumpable) {
        long r = syscall(Syscall.PRCTL, Linux.PR_SET_DUMPABLE(), dumpable ? 1 : 0, 0, 0, 0, 0);
        if (r < 0) {
            throw new SysException("prctl(PR_SET_DUMPABLE, " + (dumpable ? 1 : 0) + ")", (int) -r);
        }
    }

}
