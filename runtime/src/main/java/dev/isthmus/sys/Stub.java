package dev.isthmus.sys;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The spawn stub: a few hundred bytes of machine code (runtime/src/main/asm/spawn-ARCH.S,
 * assembled into the resource spawn-ARCH.bin) mapped executable once per JVM and called through
 * a downcall handle. See the assembly source for the program format it runs.
 */
public final class Stub {
    private Stub() {}

    /** Offset of isthmus_image_entry, the entry point when the code runs as an ELF image (every architecture). */
    static final int IMAGE_ENTRY_OFFSET = 0;
    /** Offset of isthmus_spawn, the function the JVM calls (every architecture). */
    static final int SPAWN_OFFSET = 16;
    /** Offset of isthmus_forward_signal on this machine, a native signal handler (see {@link SignalForwarding}). */
    static int forwardSignalOffset() {
        return Arch.current().forwardSignalOffset();
    }

    /** Offset of isthmus_signal_to_pipe on this machine, a native signal handler writing to a self-pipe. */
    static int signalToPipeOffset() {
        return Arch.current().signalToPipeOffset();
    }

    private static final long PAGE = 4096;

    private static volatile MemorySegment spawn; // the stub's spawn entry, once mapped
    /** Where the stub is mapped: its code page(s), then one read-write page of data cells. */
    private static volatile long base;

    /** The stub's bytes for this JVM's architecture, as shipped. */
    public static byte[] code() {
        return code(Arch.current());
    }

    /** The stub's bytes for {@code arch}, as shipped (an ELF image may be built for another machine). */
    public static byte[] code(Arch arch) {
        return shared(arch).clone();
    }

    /** Read once per architecture: every launch's image holds them. */
    private static final java.util.Map<Arch, byte[]> CODE = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@link #code(Arch)} without a copy, for callers that only read it. */
    static byte[] shared(Arch arch) {
        return CODE.computeIfAbsent(arch, Stub::read);
    }

    private static byte[] read(Arch arch) {
        String name = arch.stubResource();
        try (InputStream in = Stub.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the runtime jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the spawn stub: " + e.getMessage(), e);
        }
    }

    /** Calls the stub: returns the child's pid, or -errno from clone3. */
    static long spawn(MemorySegment header) {
        try {
            MemorySegment entry = entry();
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                return (long) Native.Call.H.invokeExact(entry, Native.captureSegment(a), header.address(), 0L, 0L, 0L, 0L, 0L, 0L);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment entry() {
        MemorySegment h = spawn;
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
        entry();
        return base;
    }

    /** The data cell the signal forwarder reads: one int at the start of the page after the code's page(s). */
    static MemorySegment forwardCell() {
        return Native.at(base() + Arch.current().cellOffset(), 4);
    }

    /** The data cell isthmus_signal_to_pipe reads: the int after the forwarder's. */
    static MemorySegment pipeCell() {
        return Native.at(base() + Arch.current().cellOffset() + 4, 4);
    }

    private static MemorySegment load() {
        Arch arch = Arch.current();
        byte[] code = code(arch);
        int cells = arch.cellOffset();
        if (code.length > cells) {
            throw new IllegalStateException("the stub outgrew its page; its signal handlers read their cells at +" + cells);
        }
        // Mapped writable, filled, then the code page(s) made read+execute: never writable and
        // executable at once. The page after them stays read-write for the handlers' cells. The
        // cells lie at the largest page size of the architecture (aarch64: 64 KiB), so that the
        // mprotect of the code, rounded to whole pages, never takes them in. On aarch64 the kernel
        // makes the instruction cache coherent with the written bytes when the page first becomes
        // executable, as for any page a process writes and then maps executable.
        long size = cells + PAGE;
        long address = Libc.mmapAnonymous(size, Libc.PROT_READ | Libc.PROT_WRITE);
        MemorySegment mem = Native.at(address, size);
        MemorySegment.copy(code, 0, mem, ValueLayout.JAVA_BYTE, 0, code.length);
        mem.set(ValueLayout.JAVA_INT, cells, -1);
        mem.set(ValueLayout.JAVA_INT, cells + 4, -1);
        Libc.mprotect(address, cells, Libc.PROT_READ | Libc.PROT_EXEC);
        base = address;
        return MemorySegment.ofAddress(address + SPAWN_OFFSET); // called through the shared shape (Native.Call)
    }
}
