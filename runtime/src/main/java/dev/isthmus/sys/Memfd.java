package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Sealed, executable in-memory files (memfd_create(2)) for the parked-init image. */
public final class Memfd {
    private Memfd() {}

    private static final MethodHandle MEMFD_CREATE = Native.linkErrno(Linux.memfd_create$address(), Linux.memfd_create$descriptor());
    /** fcntl(2) is variadic in libc; F_ADD_SEALS takes an int. */
    private static final MethodHandle FCNTL_INT = Native.linkErrno(Native.symbol("fcntl"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /**
     * MFD_EXEC (Linux 6.3): asks for an executable memfd where vm.memfd_noexec would otherwise
     * refuse one. Debian 12's kernel headers (6.1) predate it, so jextract has no constant.
     */
    static final int MFD_EXEC = 0x10;

    /** A close-on-exec memfd holding {@code bytes}, sealed against any change. */
    public static int sealedExecutable(String name, byte[] bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment n = a.allocateFrom(name);
            int base = Linux.MFD_CLOEXEC() | Linux.MFD_ALLOW_SEALING();
            int fd = (int) MEMFD_CREATE.invokeExact(cap, n, base | MFD_EXEC);
            if (fd < 0 && Native.errno(cap) == Errno.EINVAL.number()) {
                fd = (int) MEMFD_CREATE.invokeExact(cap, n, base); // a kernel before 6.3
            }
            if (fd < 0) {
                throw new SysException("memfd_create", Native.errno(cap));
            }
            try {
                Libc.write(fd, bytes);
                int seals = Linux.F_SEAL_SHRINK() | Linux.F_SEAL_GROW() | Linux.F_SEAL_WRITE() | Linux.F_SEAL_SEAL();
                if ((int) FCNTL_INT.invokeExact(cap, fd, Linux.F_ADD_SEALS(), seals) < 0) {
                    throw new SysException("fcntl(F_ADD_SEALS)", Native.errno(cap));
                }
                return fd;
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
