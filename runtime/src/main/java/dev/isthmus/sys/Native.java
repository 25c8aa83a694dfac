package dev.isthmus.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * All linking in one place. jextract's handles cannot capture errno, so each function the runtime
 * calls from Java is re-linked here from jextract's address and descriptor with
 * {@code captureCallState("errno")}; the capture segment is allocated per call by the caller's
 * arena (never a shared static one: calls come from many threads).
 */
@SuppressWarnings("restricted")
final class Native {
    private Native() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** Links {@code address} with {@code descriptor}; the handle takes the capture segment first. */
    static MethodHandle linkErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("errno"));
    }

    /**
     * The one downcall shape the runtime's own calls share: {@code long f(long, ...)} with six more
     * long arguments, variadic after the first, errno captured. The handle is unbound (the target
     * comes first, then the capture segment), so one link serves every function of that shape:
     * syscall(3) with the per-architecture numbers (Libc), sigaction(2) (SignalForwarding) and the
     * stub's spawn entry (Stub). Each distinct shape's first link spins 10-40 classes the AOT cache
     * cannot hold, and a short command pays for each (issue 16). On x86_64 and aarch64 Linux an
     * integer argument of a variadic call travels in the same register as a fixed one's, so a
     * fixed function called this way sees its arguments (and an int result is the low half).
     */
    static final class Call {
        private Call() {}

        static final MethodHandle H = LINKER.downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    /** A libc symbol, for the variadic functions jextract binds only through invokers. */
    static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** Links code at {@code address} (the stub) without errno capture. */
    static MethodHandle link(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor);
    }

    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** A raw address as a segment of {@code size} bytes (for memory mmap returned). */
    static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    /**
     * Rethrows what a downcall's invokeExact threw: unchecked as is, anything else (nothing a
     * native function can throw) wrapped.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
