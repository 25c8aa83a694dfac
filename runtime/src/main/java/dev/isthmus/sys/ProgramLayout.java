package dev.isthmus.sys;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Program} in the stub's table format, position-independent until placed: the header
 * (at offset 0), the step table, then every string, block and pointer array the steps point to.
 * Pointers are stored relative to the layout's start and listed in {@link #relocations}, so the
 * same bytes serve an arena in the JVM ({@link ProgramImage}) and an ELF image at a fixed address
 * ({@link ElfImage}).
 *
 * <p>Header: 0 magic, 8 clone_args pointer, 16 clone_args size, 24 step count, 32 steps pointer,
 * 40 error fd, 48 first step to run, 56 reserved, 64 initial slots[16]. Step: 0 number, 8..55 arguments, 56 flags, 57 store slot,
 * 58/59 in1 argument/slot, 60/61 in2 argument/slot, 62 tolerated errno.
 */
final class ProgramLayout {

    static final long MAGIC = 0x31534d4854535349L; // "ISTHMUS1", little-endian
    static final int HEADER_SIZE = 64 + 8 * Step.SLOTS;
    static final int STEP_SIZE = 64;
    static final int ERRFD_OFFSET = 40;
    static final int FIRST_STEP_OFFSET = 48;
    static final int MESSAGES_OFFSET = 56;
    /** The stub's message table has an entry per errno 0..133 after the steps' entries. */
    static final int MAX_ERRNO = 133;
    static final int SLOTS_OFFSET = 64;

    private static final int IN1 = 0x04;
    private static final int IN2 = 0x08;
    private static final int IN1_ADDR = 0x10;

    private ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private int[] relocs = new int[64];
    private int relocCount;
    private final Map<String, Integer> strings = new HashMap<>();

    private final Arch arch;

    private ProgramLayout(Arch arch) {
        this.arch = arch;
    }

    /**
     * Lays out {@code program} with a message table (see the header's field 56 in the stub's
     * source): for a process with no parent to report to, each step's "isthmus: what: " and
     * each errno's name, which the stub writes to stderr when a step fails.
     */
    static ProgramLayout withMessages(Program program, Arch arch) {
        ProgramLayout l = of(program, arch);
        List<Step> steps = program.steps();
        int table = l.alloc(16 * (steps.size() + MAX_ERRNO + 1), 8);
        for (int i = 0; i < steps.size(); i++) {
            l.message(table + 16 * i, "isthmus: " + steps.get(i).what() + ": ");
        }
        for (int e = 0; e <= MAX_ERRNO; e++) {
            l.message(table + 16 * (steps.size() + e), (e == 0 ? "unexpected end of input" : Errno.describe(e)) + "\n");
        }
        l.pointer(MESSAGES_OFFSET, table);
        return l;
    }

    private void message(int entry, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int off = alloc(b.length, 1);
        buf.put(off, b);
        pointer(entry, off);
        buf.putLong(entry + 8, b.length);
    }

    /** Lays out {@code program} for this machine's stub. */
    static ProgramLayout of(Program program) {
        return of(program, Arch.current());
    }

    /** A program laid out for a launch, and its layout (read-only once made). */
    private record Laid(Program program, ProgramLayout layout) {}

    /** The last few programs laid out for launches, by identity (a batch's template, a profile's programs). */
    private static final java.util.concurrent.atomic.AtomicReferenceArray<Laid> LAID = new java.util.concurrent.atomic.AtomicReferenceArray<>(4);
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_LAID = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * {@link #of(Program)}, made once for a program launched again and again (a batch's
     * template: the same {@link Program} instance for every task), so that a launch only copies
     * and places the bytes. The layout is shared: nothing changes it after it is made.
     */
    static ProgramLayout forLaunch(Program program) {
        for (int i = 0; i < LAID.length(); i++) {
            Laid l = LAID.get(i);
            if (l != null && l.program() == program) {
                return l.layout();
            }
        }
        ProgramLayout layout = of(program);
        LAID.set(Math.floorMod(NEXT_LAID.getAndIncrement(), LAID.length()), new Laid(program, layout));
        return layout;
    }

    /**
     * Lays out {@code program} for {@code arch}'s stub (only the system call numbers differ); the
     * error fd and slots are set where it is placed ({@link #placedAt(long, long, long, long[])}).
     */
    static ProgramLayout of(Program program, Arch arch) {
        ProgramLayout l = new ProgramLayout(arch);
        List<Step> steps = program.steps();
        int header = l.alloc(HEADER_SIZE, 16);
        int table = l.alloc(STEP_SIZE * steps.size(), 16);
        l.buf.putLong(header, MAGIC);
        l.buf.putLong(header + 24, steps.size());
        l.pointer(header + 32, table);
        l.buf.putLong(header + ERRFD_OFFSET, -1);
        for (int i = 0; i < steps.size(); i++) {
            l.encode(steps.get(i), table + i * STEP_SIZE);
        }
        return l;
    }

    /** This layout as an ELF image ({@link ElfImage}), made by the first caller for this layout's architecture. */
    private volatile byte[] elf;

    byte[] elf(Arch forArch, java.util.function.Supplier<byte[]> assemble) {
        if (forArch != arch) {
            return assemble.get();
        }
        byte[] e = elf;
        if (e == null) {
            e = assemble.get();
            elf = e;
        }
        return e;
    }

    int size() {
        return buf.position();
    }

    /** Appends {@code size} zero bytes aligned to {@code align}; returns their offset. */
    int alloc(int size, int align) {
        int off = (buf.position() + align - 1) & -align;
        ensure(off + size);
        buf.position(off + size);
        return off;
    }

    /** Stores at {@code at} a pointer to layout offset {@code target}. */
    void pointer(int at, int target) {
        buf.putLong(at, target);
        if (relocCount == relocs.length) {
            relocs = Arrays.copyOf(relocs, relocCount * 2);
        }
        relocs[relocCount++] = at;
    }

    int[] relocations() {
        return Arrays.copyOf(relocs, relocCount);
    }

    private void ensure(int size) {
        if (size > buf.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(size, buf.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
            int pos = buf.position();
            buf.position(0);
            bigger.put(buf.array(), 0, pos);
            bigger.position(pos);
            buf = bigger;
        }
    }

    private int cString(String s) {
        Integer off = strings.get(s);
        if (off == null) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            off = alloc(b.length + 1, 1);
            buf.put(off, b);
            strings.put(s, off);
        }
        return off;
    }

    private void encode(Step step, int at) {
        buf.putLong(at, step.call().number(arch));
        int flags = step.flags();
        List<Arg> args = step.args();
        // The stub has two slot operands: in1 (a value or, with IN1_ADDR, an address) and in2 (a
        // value). An address takes in1; values take in1 when it is free, else in2.
        boolean in1Taken = args.stream().anyMatch(a -> a instanceof Arg.SlotAddr);
        for (int i = 0; i < args.size(); i++) {
            int field = at + 8 + 8 * i;
            switch (args.get(i)) {
                case Arg.Imm imm -> buf.putLong(field, imm.value());
                case Arg.Str str -> {
                    if (str.value() != null) {
                        pointer(field, cString(str.value()));
                    }
                }
                case Arg.Bytes b -> {
                    byte[] bytes = b.value();
                    int off = alloc(Math.max(8, bytes.length), 8);
                    buf.put(off, bytes);
                    pointer(field, off);
                }
                case Arg.SockFprog f -> {
                    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
                    byte[] program = f.program();
                    int code = alloc(program.length, 8);
                    buf.put(code, program);
                    int fprog = alloc(16, 8);
                    buf.putShort(fprog, (short) (program.length / 8));
                    pointer(fprog + 8, code);
                    pointer(field, fprog);
                }
                case Arg.StrArray arr -> {
                    List<String> values = arr.values();
                    int[] strs = new int[values.size()];
                    for (int k = 0; k < strs.length; k++) {
                        strs[k] = cString(values.get(k));
                    }
                    int off = alloc(8 * (values.size() + 1), 8);
                    for (int k = 0; k < strs.length; k++) {
                        pointer(off + 8 * k, strs[k]);
                    }
                    pointer(field, off);
                }
                case Arg.Slot slot -> {
                    buf.put(at + (in1Taken ? 60 : 58), (byte) i);
                    buf.put(at + (in1Taken ? 61 : 59), (byte) slot.slot());
                    flags |= in1Taken ? IN2 : IN1;
                    in1Taken = true;
                }
                case Arg.SlotAddr slot -> {
                    buf.put(at + 58, (byte) i);
                    buf.put(at + 59, (byte) slot.slot());
                    flags |= IN1_ADDR;
                }
            }
        }
        buf.put(at + 56, (byte) flags);
        buf.put(at + 57, (byte) step.storeSlot());
        buf.putShort(at + 62, (short) step.tolerate());
    }

    /** The bytes with every pointer made absolute for a placement at {@code base}. */
    byte[] placedAt(long base) {
        byte[] out = Arrays.copyOf(buf.array(), buf.position());
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < relocCount; i++) {
            int at = relocs[i];
            b.putLong(at, b.getLong(at) + base);
        }
        return out;
    }

    /**
     * {@link #placedAt(long)} with the header's error fd, first step and initial slots set in
     * the copy; the layout itself is not changed, so one layout serves launches on many threads.
     */
    byte[] placedAt(long base, long errFd, long firstStep, long[] initialSlots) {
        byte[] out = placedAt(base);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(ERRFD_OFFSET, errFd);
        b.putLong(FIRST_STEP_OFFSET, firstStep);
        for (int i = 0; i < initialSlots.length; i++) {
            b.putLong(SLOTS_OFFSET + 8 * i, initialSlots[i]);
        }
        return out;
    }

    /** Copies the placed bytes into {@code dst}, whose address is the base. */
    void writeTo(MemorySegment dst) {
        byte[] placed = placedAt(dst.address());
        MemorySegment.copy(placed, 0, dst, ValueLayout.JAVA_BYTE, 0, placed.length);
    }
}
