package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.ffm.cmsghdr;
import dev.isthmus.ffm.iovec;
import dev.isthmus.ffm.msghdr;
import dev.isthmus.ffm.sockaddr_un;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * runc's --console-socket protocol: connect to the caller's unix stream socket and send the
 * console pty's master as SCM_RIGHTS, with the pty's name as the message's bytes.
 */
public final class ConsoleSocket {
    private ConsoleSocket() {}

    private static final MethodHandle SOCKET = Native.linkErrno(Linux.socket$address(), Linux.socket$descriptor());
    /** connect(2), linked by hand: glibc's prototype uses a transparent union jextract cannot pass (jextract/README.md). */
    private static final MethodHandle CONNECT = Native.linkErrno(Native.symbol("connect"),
            java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDMSG = Native.linkErrno(Linux.sendmsg$address(), Linux.sendmsg$descriptor());

    // CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on x86_64: function-like macros jextract
    // does not generate (a 16-byte header, the int, padding to 8).
    private static final long CMSG_LEN_INT = cmsghdr.sizeof() + 4;
    private static final long CMSG_SPACE_INT = cmsghdr.sizeof() + 8;

    /** Sends {@code fd} to the socket at {@code path}, named {@code name}. */
    public static void send(Path path, int fd, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            int s = (int) SOCKET.invokeExact(cap, Linux.AF_UNIX(), Linux.SOCK_STREAM() | Linux.SOCK_CLOEXEC(), 0);
            if (s < 0) {
                throw new SysException("socket", Native.errno(cap));
            }
            try {
                MemorySegment addr = a.allocate(sockaddr_un.layout());
                byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
                if (p.length >= sockaddr_un.sun_path$layout().byteSize()) {
                    throw new SysException("--console-socket " + path + ": path too long for a unix socket", Errno.ENAMETOOLONG.number());
                }
                sockaddr_un.sun_family(addr, (short) Linux.AF_UNIX());
                MemorySegment.copy(p, 0, sockaddr_un.sun_path(addr), ValueLayout.JAVA_BYTE, 0, p.length);
                if ((int) CONNECT.invokeExact(cap, s, addr, (int) sockaddr_un.sizeof()) < 0) {
                    throw new SysException("connect --console-socket " + path, Native.errno(cap));
                }
                MemorySegment data = a.allocateFrom(name, StandardCharsets.UTF_8);
                MemorySegment iov = a.allocate(iovec.layout());
                iovec.iov_base(iov, data);
                iovec.iov_len(iov, data.byteSize() - 1);
                MemorySegment control = a.allocate(CMSG_SPACE_INT, 8);
                cmsghdr.cmsg_len(control, CMSG_LEN_INT);
                cmsghdr.cmsg_level(control, Linux.SOL_SOCKET());
                cmsghdr.cmsg_type(control, Linux.SCM_RIGHTS());
                control.set(ValueLayout.JAVA_INT, cmsghdr.sizeof(), fd);
                MemorySegment msg = a.allocate(msghdr.layout());
                msghdr.msg_iov(msg, iov);
                msghdr.msg_iovlen(msg, 1);
                msghdr.msg_control(msg, control);
                msghdr.msg_controllen(msg, CMSG_SPACE_INT);
                if ((long) SENDMSG.invokeExact(cap, s, msg, 0) < 0) {
                    throw new SysException("sendmsg --console-socket " + path, Native.errno(cap));
                }
            } finally {
                Libc.close(s);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
