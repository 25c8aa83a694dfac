package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.lang.foreign.Arena;

/** Sealed, executable in-memory files (memfd_create(2)) for the parked-init image. */
public final class Memfd {
    private Memfd() {}

    /**
     * MFD_EXEC (Linux 6.3): asks for an executable memfd where vm.memfd_noexec would otherwise
     * refuse one. Debian 12's kernel headers (6.1) predate it, so jextract has no constant.
     */
    static final int MFD_EXEC = 0x10;

    /** A close-on-exec memfd holding {@code bytes}, sealed against any change. */
    public static int sealedExecutable(String name, byte[] bytes) {
        try (Arena a = Arena.ofConfined()) {
            long n = a.allocateFrom(name).address();
            int base = Linux.MFD_CLOEXEC() | Linux.MFD_ALLOW_SEALING();
            long fd = Libc.syscall(Syscall.MEMFD_CREATE, n, base | MFD_EXEC, 0);
            if (fd == -Errno.EINVAL.number()) {
                fd = Libc.syscall(Syscall.MEMFD_CREATE, n, base, 0); // a kernel before 6.3
            }
            if (fd < 0) {
                throw new SysException("memfd_create", (int) -fd);
            }
            try {
                Libc.write((int) fd, bytes);
                int seals = Linux.F_SEAL_SHRINK() | Linux.F_SEAL_GROW() | Linux.F_SEAL_WRITE() | Linux.F_SEAL_SEAL();
                long r = Libc.syscall(Syscall.FCNTL, fd, Linux.F_ADD_SEALS(), seals);
                if (r < 0) {
                    throw new SysException("fcntl(F_ADD_SEALS)", (int) -r);
                }
                return (int) fd;
            } catch (RuntimeException e) {
                Libc.close((int) fd);
                throw e;
            }
        }
    }
}
