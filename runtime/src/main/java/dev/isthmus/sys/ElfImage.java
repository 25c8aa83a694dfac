package dev.isthmus.sys;

import dev.isthmus.plan.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A spawn program as a minimal static ELF executable for x86_64 or aarch64 (the same header but
 * for e_machine and the segment's alignment): one R+X PT_LOAD segment at the fixed
 * address 0x400000 holding the stub's code followed by the program, plus a PT_GNU_STACK header
 * for a non-executable stack. Executed from a sealed memfd with execveat(AT_EMPTY_PATH), it runs
 * the program in a process of a few pages instead of a copy of the JVM (DESIGN.md: parked init,
 * exec mode).
 *
 * <p>ET_EXEC at a fixed address, not ET_DYN: a position-independent image may load at a random
 * base, and at 0 it crashes for non-root (mmap_min_addr). A malformed header fails silently with
 * SIGSEGV, so ElfImageTest checks the bytes field by field.
 */
public final class ElfImage {
    private ElfImage() {}

    static final long BASE = 0x400000;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int PHNUM = 2;
    /** Code starts right after the headers (16-byte aligned: 64 + 2 * 56 = 176). */
    static final int CODE_OFFSET = EHDR_SIZE + PHNUM * PHDR_SIZE;

    private static final int ET_EXEC = 2;
    private static final int PT_LOAD = 1;
    private static final int PT_GNU_STACK = 0x6474e551;
    private static final int PF_X = 1;
    private static final int PF_W = 2;
    private static final int PF_R = 4;

    /**
     * The executable for {@code program}, starting at step {@code firstStep}, with the error fd and
     * initial slots fixed at build time (they are part of the read-only image).
     */
    public static byte[] build(Program program, int firstStep, int errFd, long[] initialSlots) {
        return build(program, firstStep, errFd, initialSlots, Arch.current());
    }

    /**
     * {@link #build(Program, int, int, long[])} for a machine of architecture {@code arch}: its
     * stub, its system call numbers, its e_machine (tests run the aarch64 form under qemu).
     */
    public static byte[] build(Program program, int firstStep, int errFd, long[] initialSlots, Arch arch) {
        return build(ProgramLayout.of(program, arch), firstStep, errFd, initialSlots, arch);
    }

    /** The image of {@code program} for exec mode: from step 0, no error pipe, failures told on stderr. */
    public static byte[] forExecMode(Program program) {
        return forExecMode(program, Arch.current());
    }

    /** {@link #forExecMode(Program)} for a machine of architecture {@code arch}. */
    public static byte[] forExecMode(Program program, Arch arch) {
        return build(ProgramLayout.withMessages(program, arch), 0, -1, new long[0], arch);
    }

    static byte[] build(ProgramLayout layout, int firstStep, int errFd, long[] initialSlots, Arch arch) {
        // The image at its fixed address is the same for every launch of the layout but for the
        // header's error fd, first step and initial slots: made once, copied and patched.
        byte[] assembled = layout.elf(arch, () -> assemble(layout, arch));
        byte[] out = assembled.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int header = CODE_OFFSET + Stub.shared(arch).length;
        b.putLong(header + ProgramLayout.ERRFD_OFFSET, errFd);
        b.putLong(header + ProgramLayout.FIRST_STEP_OFFSET, firstStep);
        for (int i = 0; i < initialSlots.length; i++) {
            b.putLong(header + ProgramLayout.SLOTS_OFFSET + 8 * i, initialSlots[i]);
        }
        return out;
    }

    private static byte[] assemble(ProgramLayout layout, Arch arch) {
        byte[] code = Stub.shared(arch);
        int errFd = -1;
        int firstStep = 0;
        long[] initialSlots = new long[0];
        if (code.length % 16 != 0) {
            throw new IllegalStateException("stub length " + code.length + " is not 16-byte aligned");
        }
        int programOffset = CODE_OFFSET + code.length;
        byte[] placed = layout.placedAt(BASE + programOffset, errFd, firstStep, initialSlots);
        int total = programOffset + placed.length;

        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        // Elf64_Ehdr
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* SYSV */});
        b.put(new byte[8]);
        b.putShort((short) ET_EXEC);
        b.putShort((short) arch.elfMachine());
        b.putInt(1); // e_version
        b.putLong(BASE + CODE_OFFSET + Stub.IMAGE_ENTRY_OFFSET); // e_entry
        b.putLong(EHDR_SIZE); // e_phoff
        b.putLong(0); // e_shoff: no sections
        b.putInt(0); // e_flags
        b.putShort((short) EHDR_SIZE);
        b.putShort((short) PHDR_SIZE);
        b.putShort((short) PHNUM);
        b.putShort((short) 64); // e_shentsize
        b.putShort((short) 0); // e_shnum
        b.putShort((short) 0); // e_shstrndx
        // PT_LOAD: the whole file, readable and executable
        b.putInt(PT_LOAD);
        b.putInt(PF_R | PF_X);
        b.putLong(0);
        b.putLong(BASE);
        b.putLong(BASE);
        b.putLong(total);
        b.putLong(total);
        b.putLong(arch.segmentAlign()); // the largest page size (x86_64 4 KiB, aarch64 64 KiB); BASE is a multiple of both
        // PT_GNU_STACK: a non-executable stack
        b.putInt(PT_GNU_STACK);
        b.putInt(PF_R | PF_W);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(16);
        b.put(code);
        b.put(placed);
        return b.array();
    }
}
