package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * bpf(2), for the one use the runtime has: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach
 * it to a cgroup v2 directory (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI so that an ancestor's program
 * still applies). libc has no bpf wrapper: syscall(SYS_bpf, cmd, attr, size).
 */
@SuppressWarnings("restricted")
public final class Bpf {
    private Bpf() {}

    private static final MethodHandle SYSCALL = Native.LINKER.downcallHandle(Native.symbol("syscall"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    // linux/bpf.h
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    private static final int BPF_F_ALLOW_MULTI = 2;
    private static final int ATTR_SIZE = 128;

    /**
     * Loads {@code insns} as a device program and attaches it to the cgroup directory
     * {@code cgroupDir}; the attachment holds the program, so its fd is closed here.
     *
     * @throws SysException naming the failed step, with the verifier's log when loading fails
     */
    public static void attachDeviceProgram(byte[] insns, String cgroupDir) {
        int dir = Libc.open(cgroupDir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment code = a.allocate(insns.length, 8);
            MemorySegment.copy(insns, 0, code, ValueLayout.JAVA_BYTE, 0, insns.length);
            MemorySegment license = a.allocateFrom("Apache-2.0", StandardCharsets.US_ASCII);
            MemorySegment log = a.allocate(65536);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_CGROUP_DEVICE);
            attr.set(ValueLayout.JAVA_INT, 4, insns.length / 8);
            attr.set(ValueLayout.JAVA_LONG, 8, code.address());
            attr.set(ValueLayout.JAVA_LONG, 16, license.address());
            attr.set(ValueLayout.JAVA_INT, 24, 1);               // log_level
            attr.set(ValueLayout.JAVA_INT, 28, (int) log.byteSize());
            attr.set(ValueLayout.JAVA_LONG, 32, log.address());
            attr.set(ValueLayout.JAVA_INT, 68, BPF_CGROUP_DEVICE); // expected_attach_type
            long prog = bpf(a, BPF_PROG_LOAD, attr);
            if (prog < 0) {
                String verifier = log.getString(0, StandardCharsets.US_ASCII).strip();
                throw new SysException("bpf(BPF_PROG_LOAD) of the device program" + (verifier.isEmpty() ? "" : " [" + verifier + "]"),
                        (int) -prog);
            }
            try {
                MemorySegment at = a.allocate(ATTR_SIZE, 8);
                at.set(ValueLayout.JAVA_INT, 0, dir);
                at.set(ValueLayout.JAVA_INT, 4, (int) prog);
                at.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE);
                at.set(ValueLayout.JAVA_INT, 12, BPF_F_ALLOW_MULTI);
                long r = bpf(a, BPF_PROG_ATTACH, at);
                if (r < 0) {
                    throw new SysException("bpf(BPF_PROG_ATTACH) to " + cgroupDir, (int) -r);
                }
            } finally {
                Libc.close((int) prog);
            }
        } finally {
            Libc.close(dir);
        }
    }

    private static long bpf(Arena a, int cmd, MemorySegment attr) {
        MemorySegment cap = Native.captureSegment(a);
        try {
            long r = (long) SYSCALL.invokeExact(cap, (long) Arch.current().bpfNumber(), cmd, attr, ATTR_SIZE);
            return r < 0 ? -Native.errno(cap) : r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
