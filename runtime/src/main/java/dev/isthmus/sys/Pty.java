package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.ffm.termios;
import dev.isthmus.ffm.winsize;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/** A pseudo-terminal pair for a container's console (pty(7)): the master stays with the runtime. */
public final class Pty implements AutoCloseable {

    private static final MethodHandle POSIX_OPENPT = Native.linkErrno(Linux.posix_openpt$address(), Linux.posix_openpt$descriptor());
    private static final MethodHandle GRANTPT = Native.linkErrno(Linux.grantpt$address(), Linux.grantpt$descriptor());
    private static final MethodHandle UNLOCKPT = Native.linkErrno(Linux.unlockpt$address(), Linux.unlockpt$descriptor());
    private static final MethodHandle PTSNAME_R = Native.linkErrno(Linux.ptsname_r$address(), Linux.ptsname_r$descriptor());
    private static final MethodHandle ISATTY = Native.link(Linux.isatty$address(), Linux.isatty$descriptor());
    private static final MethodHandle TCGETATTR = Native.linkErrno(Linux.tcgetattr$address(), Linux.tcgetattr$descriptor());
    private static final MethodHandle TCSETATTR = Native.linkErrno(Linux.tcsetattr$address(), Linux.tcsetattr$descriptor());
    private static final MethodHandle CFMAKERAW = Native.link(Linux.cfmakeraw$address(), Linux.cfmakeraw$descriptor());
    /** ioctl(2) is variadic in libc (jextract gives only an invoker); the requests used here take a pointer. */
    private static final MethodHandle IOCTL_PTR = Native.linkErrno(Native.symbol("ioctl"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    public static final int TIOCSCTTY = Linux.TIOCSCTTY();

    private static final MethodHandle IOCTL_LONG = Native.linkErrno(Native.symbol("ioctl"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private final int master;
    private final String slavePath;
    /** The slave, already open (TIOCGPTPEER), for a pty of a container's devpts; -1 once handed out. */
    private int peer = -1;

    private Pty(int master, String slavePath) {
        this.master = master;
        this.slavePath = slavePath;
    }

    /**
     * A pty of the devpts of the container whose init is {@code pid} (for exec -t), as runc
     * makes it: its /dev/ptmx opened in the container's root (openat2 RESOLVE_IN_ROOT, no magic
     * link), checked to be the ptmx device (5:2) before any ioctl, unlocked, the slave opened by
     * TIOCGPTPEER (no path lookup). Null when the container has none (no devpts, another file
     * there): the caller falls back to a pty of its own.
     */
    public static Pty inContainer(int pid) {
        int root = InRootLookup.openRoot(pid);
        if (root < 0) {
            return null;
        }
        int m;
        try {
            m = InRootLookup.open(root, "dev/ptmx", Linux.O_RDWR() | Linux.O_NOCTTY() | Linux.O_CLOEXEC());
        } finally {
            Libc.close(root);
        }
        if (m < 0) {
            return null;
        }
        try (Arena a = Arena.ofConfined()) {
            Object rdev = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self/fd/" + m), "unix:rdev");
            if (!(rdev instanceof Long r) || r != (5L << 8 | 2)) {
                Libc.close(m);
                return null;
            }
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment zero = a.allocate(ValueLayout.JAVA_INT);
            check("ioctl(TIOCSPTLCK)", (int) IOCTL_PTR.invokeExact(cap, m, (long) Linux.TIOCSPTLCK(), zero), cap);
            int slave = (int) IOCTL_LONG.invokeExact(cap, m, (long) Linux.TIOCGPTPEER(),
                    (long) (Linux.O_RDWR() | Linux.O_NOCTTY() | Linux.O_CLOEXEC()));
            check("ioctl(TIOCGPTPEER)", slave, cap);
            Pty pty = adopt(m);
            pty.peer = slave;
            return pty;
        } catch (Throwable t) {
            Libc.close(m);
            throw Native.rethrow(t);
        }
    }

    /** Opens a new pty pair: the master (close-on-exec) and the slave's path. */
    public static Pty open() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            int m = (int) POSIX_OPENPT.invokeExact(cap, Linux.O_RDWR() | Linux.O_NOCTTY() | Linux.O_CLOEXEC());
            if (m < 0) {
                throw new SysException("posix_openpt", Native.errno(cap));
            }
            try {
                check("grantpt", (int) GRANTPT.invokeExact(cap, m), cap);
                check("unlockpt", (int) UNLOCKPT.invokeExact(cap, m), cap);
                MemorySegment name = a.allocate(256);
                int r = (int) PTSNAME_R.invokeExact(cap, m, name, 256L);
                if (r != 0) {
                    throw new SysException("ptsname_r", r);
                }
                return new Pty(m, name.getString(0, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                Libc.close(m);
                throw e;
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * The pty whose master is {@code master} (taken over: closed with this Pty), allocated in a
     * container's devpts: its slave is /dev/pts/N there (TIOCGPTN).
     */
    public static Pty adopt(int master) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
            check("ioctl(TIOCGPTN)", (int) IOCTL_PTR.invokeExact(cap, master, (long) Linux.TIOCGPTN(), n), cap);
            return new Pty(master, "/dev/pts/" + n.get(ValueLayout.JAVA_INT, 0));
        } catch (Throwable t) {
            Libc.close(master);
            throw Native.rethrow(t);
        }
    }

    private static void check(String call, int r, MemorySegment cap) {
        if (r < 0) {
            throw new SysException(call, Native.errno(cap));
        }
    }

    public int master() {
        return master;
    }

    public String slavePath() {
        return slavePath;
    }

    /** Opens the slave side (close-on-exec; the child's dup3 onto 0-2 clears that flag); the caller closes it. */
    public int openSlave() {
        if (peer >= 0) {
            int s = peer;
            peer = -1;
            return s;
        }
        return Libc.open(slavePath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
    }

    /** Sets the terminal size of {@code fd} (TIOCSWINSZ). */
    public static void setSize(int fd, int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(winsize.layout());
            winsize.ws_row(ws, (short) rows);
            winsize.ws_col(ws, (short) cols);
            MemorySegment cap = Native.captureSegment(a);
            check("ioctl(TIOCSWINSZ)", (int) IOCTL_PTR.invokeExact(cap, fd, (long) Linux.TIOCSWINSZ(), ws), cap);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The terminal size of {@code fd} as {rows, cols}, or null when it is not a terminal. */
    public static int[] size(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(winsize.layout());
            MemorySegment cap = Native.captureSegment(a);
            if ((int) IOCTL_PTR.invokeExact(cap, fd, (long) Linux.TIOCGWINSZ(), ws) < 0) {
                return null;
            }
            return new int[] {Short.toUnsignedInt(winsize.ws_row(ws)), Short.toUnsignedInt(winsize.ws_col(ws))};
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Puts terminal {@code fd} in raw mode; closing restores its previous settings. */
    public static AutoCloseable rawMode(int fd) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment saved = arena.allocate(termios.layout());
            MemorySegment raw = arena.allocate(termios.layout());
            MemorySegment cap = Native.captureSegment(arena);
            check("tcgetattr", (int) TCGETATTR.invokeExact(cap, fd, saved), cap);
            raw.copyFrom(saved);
            CFMAKERAW.invokeExact(raw);
            check("tcsetattr", (int) TCSETATTR.invokeExact(cap, fd, Linux.TCSANOW(), raw), cap);
            return () -> {
                try {
                    int r = (int) TCSETATTR.invokeExact(cap, fd, Linux.TCSANOW(), saved);
                } catch (Throwable t) {
                    // restoring is best effort
                } finally {
                    arena.close();
                }
            };
        } catch (Throwable t) {
            arena.close();
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        Libc.close(peer);
        Libc.close(master);
    }
}
