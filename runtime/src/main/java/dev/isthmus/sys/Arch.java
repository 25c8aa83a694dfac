package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.util.Locale;

/**
 * The machine architectures isthmus has a spawn stub for, and what differs between them: the
 * stub's bytes and entry points, the ELF image header, seccomp's architecture, system call numbers
 * ({@link Syscall#number(Arch)}) and the few open(2) flags whose values differ. Everything else
 * the runtime binds (the jextract output in ffm-bindings, made on x86_64) has the same values and
 * struct layouts on aarch64: jextract/compare-aarch64.sh checks that against Debian's arm64
 * headers, and jextract/README.md lists the result.
 */
public enum Arch {
    /** x86_64: the values the committed bindings were generated with. */
    X86_64("x86_64", 62, Linux.AUDIT_ARCH_X86_64(), 0x260, 0x290, 0x1000, 0x1000,
            Linux.O_DIRECTORY(), Linux.O_NOFOLLOW(), Linux.SYS_bpf()),
    /**
     * aarch64 (arm64): asm-generic numbering. The open flags come from the kernel's
     * arch/arm64/include/uapi/asm/fcntl.h (O_DIRECTORY 040000, O_NOFOLLOW 0100000); bpf is 280 in
     * asm-generic/unistd.h. Pages may be 4, 16 or 64 KiB, hence the 64 KiB cell offset and
     * segment alignment.
     */
    AARCH64("aarch64", 183, Linux.AUDIT_ARCH_AARCH64(), 0x230, 0x260, 0x10000, 0x10000,
            040000, 0100000, 280);

    private final String name;
    private final int elfMachine;
    private final int auditArch;
    private final int forwardSignalOffset;
    private final int signalToPipeOffset;
    private final int cellOffset;
    private final int segmentAlign;
    private final int oDirectory;
    private final int oNofollow;
    private final int bpf;

    Arch(String name, int elfMachine, int auditArch, int forwardSignalOffset, int signalToPipeOffset, int cellOffset,
            int segmentAlign, int oDirectory, int oNofollow, int bpf) {
        this.name = name;
        this.elfMachine = elfMachine;
        this.auditArch = auditArch;
        this.forwardSignalOffset = forwardSignalOffset;
        this.signalToPipeOffset = signalToPipeOffset;
        this.cellOffset = cellOffset;
        this.segmentAlign = segmentAlign;
        this.oDirectory = oDirectory;
        this.oNofollow = oNofollow;
        this.bpf = bpf;
    }

    private static final Arch CURRENT = of(System.getProperty("os.arch"));

    /**
     * The architecture for a value of {@code os.arch} ("amd64" or "x86_64", "aarch64" or
     * "arm64"), or null when isthmus has no stub for it.
     */
    public static Arch of(String osArch) {
        if (osArch == null) {
            return null;
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> null;
        };
    }

    /** This JVM's architecture, or null when isthmus has no stub for it. */
    public static Arch currentOrNull() {
        return CURRENT;
    }

    /** This JVM's architecture; fails with an actionable message on any other. */
    public static Arch current() {
        if (CURRENT == null) {
            throw new UnsupportedOperationException("isthmus has no spawn stub for architecture " + System.getProperty("os.arch")
                    + " (available: x86_64, aarch64); containers cannot be started on this machine");
        }
        return CURRENT;
    }

    /**
     * This JVM's architecture, or x86_64 where isthmus has no stub: for constants that plans and
     * listings need (a --dry-run works anywhere), never for anything that runs, which goes
     * through {@link #current()} and fails there first.
     */
    static Arch planning() {
        return CURRENT != null ? CURRENT : X86_64;
    }

    /** The kernel's (and the stub source's) name: "x86_64", "aarch64". */
    public String kernelName() {
        return name;
    }

    /** The stub's resource, beside {@link Stub}: spawn-ARCH.bin, assembled from spawn-ARCH.S. */
    String stubResource() {
        return "spawn-" + name + ".bin";
    }

    /** e_machine of the ELF image: EM_X86_64, EM_AARCH64. */
    int elfMachine() {
        return elfMachine;
    }

    /** seccomp_data.arch of this architecture's system calls (AUDIT_ARCH_*). */
    public int auditArch() {
        return auditArch;
    }

    /** Offset of isthmus_forward_signal in the stub. */
    int forwardSignalOffset() {
        return forwardSignalOffset;
    }

    /** Offset of isthmus_signal_to_pipe in the stub. */
    int signalToPipeOffset() {
        return signalToPipeOffset;
    }

    /**
     * Where the signal handlers' data cells lie, from the start of the stub: the first page after
     * the code's page, for the largest page size the architecture's kernels use.
     */
    int cellOffset() {
        return cellOffset;
    }

    /** p_align of the ELF image's PT_LOAD: the largest page size. */
    int segmentAlign() {
        return segmentAlign;
    }

    /** open(2)'s O_DIRECTORY (differs: x86_64 0200000, aarch64 040000, which is x86_64's O_DIRECT). */
    public int oDirectory() {
        return oDirectory;
    }

    /** open(2)'s O_NOFOLLOW (differs: x86_64 0400000, aarch64 0100000). */
    public int oNofollow() {
        return oNofollow;
    }

    /** bpf(2)'s number, called from Java (not a step of a program). */
    int bpfNumber() {
        return bpf;
    }
}
