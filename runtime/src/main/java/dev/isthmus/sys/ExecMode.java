package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.plan.Program;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Exec mode: this process becomes the container. The calling JVM thread execveat()s a sealed
 * memfd holding the program as a static ELF image (execve ends every other thread), so the same
 * pid continues as a single-threaded process of a few pages that unshares, mounts, pivots and
 * execs the user program. Nothing of the runtime remains; a failing step is reported on stderr
 * by the image itself, with exit status 127.
 */
public final class ExecMode {
    private ExecMode() {}

    private static final MethodHandle EXECVEAT = Native.linkErrno(Linux.execveat$address(), Linux.execveat$descriptor());

    private static final MethodHandle CLOSE_RANGE = Native.linkErrno(Linux.close_range$address(), Linux.close_range$descriptor());

    /**
     * Does not return unless execveat itself fails (then it throws). Every fd above stderr and
     * the {@code preserveFds} after it is made close-on-exec first: the image starts with none of
     * the JVM's fds and none the caller leaked into it (a directory fd there would be a way out
     * of the rootfs through /proc/self/fd/N while the image looks the program up).
     */
    public static void become(Program program, int preserveFds) {
        int memfd = Memfd.sealedExecutable("isthmus-exec", ElfImage.forExecMode(program));
        System.out.flush();
        System.err.flush();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            if ((int) CLOSE_RANGE.invokeExact(cap, 3 + preserveFds, -1, Linux.CLOSE_RANGE_CLOEXEC()) < 0) {
                throw new SysException("close_range(CLOSE_RANGE_CLOEXEC) before the exec-mode image", Native.errno(cap));
            }
            MemorySegment argv = a.allocate(ValueLayout.ADDRESS, 2);
            argv.setAtIndex(ValueLayout.ADDRESS, 0, a.allocateFrom("isthmus-exec"));
            argv.setAtIndex(ValueLayout.ADDRESS, 1, MemorySegment.NULL);
            MemorySegment envp = a.allocate(ValueLayout.ADDRESS, 1);
            envp.setAtIndex(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
            int r = (int) EXECVEAT.invokeExact(cap, memfd, a.allocateFrom(""), argv, envp, Linux.AT_EMPTY_PATH());
            throw new SysException("execveat of the exec-mode image (" + r + ")", Native.errno(cap));
        } catch (Throwable t) {
            Libc.close(memfd);
            throw Native.rethrow(t);
        }
    }
}
