package dev.isthmus.sys;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The spawn stub: a few hundred bytes of machine code (runtime/src/main/asm/spawn-ARCH.S,
 * assembled into the resource spawn-ARCH.bin) mapped executable once per JVM and called through
 * a downcall handle. See the assembly source for the program format it runs.
 */
public final class Stub {
    private Stub() {}

    /** Architectures with a stub, by os.arch. */
    private static final String X86_64 = "amd64";

    /** Offset of isthmus_image_entry, the entry point when the code runs as an ELF image. */
    static final int IMAGE_ENTRY_OFFSET = 0;
    /** Offset of isthmus_spawn, the function the JVM calls. */
    static final int SPAWN_OFFSET = 16;
    /** Offset of isthmus_forward_signal, a native signal handler (see {@link SignalForwarding}). */
    static final int FORWARD_SIGNAL_OFFSET = 0x260;
    /** Offset of isthmus_signal_to_pipe, a native signal handler writing to a self-pipe. */
    static final int SIGNAL_TO_PIPE_OFFSET = 0x290;
    private static final long PAGE = 4096;

    private static volatile MethodHandle spawn;
    /** Where the stub is mapped: its code page(s), then one read-write page of data cells. */
    private static volatile long base;

    /** The stub's bytes for this JVM's architecture, as shipped. */
    public static byte[] code() {
        String arch = System.getProperty("os.arch");
        if (!X86_64.equals(arch) && !"x86_64".equals(arch)) {
            throw new UnsupportedOperationException("isthmus has no spawn stub for architecture " + arch
                    + " (available: x86_64); containers cannot be started on this machine");
        }
        try (InputStream in = Stub.class.getResourceAsStream("spawn-x86_64.bin")) {
            if (in == null) {
                throw new IllegalStateException("spawn-x86_64.bin is missing from the runtime jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the spawn stub: " + e.getMessage(), e);
        }
    }

    /** Calls the stub: returns the child's pid, or -errno from clone3. */
    static long spawn(MemorySegment header) {
        try {
            return (long) handle().invokeExact(header);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MethodHandle handle() {
        MethodHandle h = spawn;
        if (h == null) {
            synchronized (Stub.class) {
                h = spawn;
                if (h == null) {
                    spawn = h = load();
                }
            }
        }
        return h;
    }

    /** The address of the stub's code; maps it on first use. */
    static long base() {
        handle();
        return base;
    }

    /** The data cell the signal forwarder reads: one int at the start of the page after the code. */
    static MemorySegment forwardCell() {
        return Native.at(base() + PAGE, 4);
    }

    /** The data cell isthmus_signal_to_pipe reads: the int after the forwarder's. */
    static MemorySegment pipeCell() {
        return Native.at(base() + PAGE + 4, 4);
    }

    private static MethodHandle load() {
        byte[] code = code();
        if (code.length > PAGE) {
            throw new IllegalStateException("the stub outgrew its page; isthmus_forward_signal reads its cell at +4096");
        }
        // Mapped writable, filled, then the code page made read+execute: never writable and
        // executable at once. The page after it stays read-write for the forwarder's cell.
        long address = Libc.mmapAnonymous(2 * PAGE, Libc.PROT_READ | Libc.PROT_WRITE);
        MemorySegment mem = Native.at(address, 2 * PAGE);
        MemorySegment.copy(code, 0, mem, ValueLayout.JAVA_BYTE, 0, code.length);
        mem.set(ValueLayout.JAVA_INT, PAGE, -1);
        mem.set(ValueLayout.JAVA_INT, PAGE + 4, -1);
        Libc.mprotect(address, PAGE, Libc.PROT_READ | Libc.PROT_EXEC);
        base = address;
        return Native.link(MemorySegment.ofAddress(address + SPAWN_OFFSET), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }
}
