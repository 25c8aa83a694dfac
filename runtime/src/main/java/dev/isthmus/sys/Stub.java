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

    private static volatile MethodHandle spawn;

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
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
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

    private static MethodHandle load() {
        byte[] code = code();
        long size = (code.length + 4095) & ~4095L;
        // Mapped writable, filled, then made read+execute: never writable and executable at once.
        long address = Libc.mmapAnonymous(size, Libc.PROT_READ | Libc.PROT_WRITE);
        MemorySegment mem = Native.at(address, size);
        MemorySegment.copy(code, 0, mem, ValueLayout.JAVA_BYTE, 0, code.length);
        Libc.mprotect(address, size, Libc.PROT_READ | Libc.PROT_EXEC);
        return Native.link(MemorySegment.ofAddress(address + SPAWN_OFFSET), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }
}
