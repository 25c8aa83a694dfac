package dev.isthmus.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp classic BPF program (struct sock_filter[], as libseccomp exports it) over a
 * {@code struct seccomp_data} in Java: the planner uses it to check that a filter lets through the
 * system calls the spawn program still makes after installing it, and tests use it to read what a
 * compiled filter decides without a kernel. The instruction set is the one seccomp accepts
 * (Documentation/userspace-api/seccomp_filter.rst: BPF_LD/LDX/ST/STX, ALU, JMP, RET, MISC; loads
 * of seccomp_data only, 4 bytes wide); anything else is rejected.
 */
public final class SeccompBpf {
    private SeccompBpf() {}

    /** The result when the program reads an argument that is not known (a pointer, a slot). */
    public static final long UNKNOWN = -1;

    private static final int SECCOMP_DATA_SIZE = 64;

    /**
     * The program's 32-bit result for one system call, or {@link #UNKNOWN}.
     *
     * @param program      8 bytes per instruction, little-endian (x86_64)
     * @param nr           seccomp_data.nr
     * @param arch         seccomp_data.arch (AUDIT_ARCH_*)
     * @param args         seccomp_data.args (six values)
     * @param unknownArgs  bit i set: args[i] is not known, and a read of it makes the result UNKNOWN
     */
    public static long run(byte[] program, int nr, int arch, long[] args, int unknownArgs) {
        ByteBuffer data = ByteBuffer.allocate(SECCOMP_DATA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0);
        for (int i = 0; i < 6; i++) {
            data.putLong(16 + 8 * i, i < args.length ? args[i] : 0);
        }
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int count = program.length / 8;
        int a = 0;
        int x = 0;
        int[] mem = new int[16];
        int pc = 0;
        // Classic BPF jumps only forward, so at most `count` instructions run.
        while (pc < count) {
            int at = pc * 8;
            int op = code.getShort(at) & 0xffff;
            int jt = code.get(at + 2) & 0xff;
            int jf = code.get(at + 3) & 0xff;
            int k = code.getInt(at + 4);
            pc++;
            int src = (op & 0x08) != 0 ? x : k; // BPF_X or BPF_K
            switch (op & 0x07) {
                case 0x00, 0x01 -> { // BPF_LD, BPF_LDX
                    if ((op & 0xe0) == 0x20 && k >= 16 && k < SECCOMP_DATA_SIZE && (unknownArgs & (1 << ((k - 16) / 8))) != 0) {
                        return UNKNOWN;
                    }
                    int value = switch (op & 0xe0) {
                        case 0x00 -> k; // BPF_IMM
                        case 0x20 -> { // BPF_ABS, 4 bytes (BPF_W) only
                            if ((op & 0x18) != 0 || k < 0 || k > SECCOMP_DATA_SIZE - 4 || (k & 3) != 0) {
                                throw new IllegalArgumentException("instruction " + (pc - 1) + ": a seccomp load must be 4 bytes within seccomp_data");
                            }
                            yield data.getInt(k);
                        }
                        case 0x60 -> mem[checkMem(k, pc)]; // BPF_MEM
                        case 0x80 -> SECCOMP_DATA_SIZE; // BPF_LEN
                        default -> throw unsupported(op, pc);
                    };
                    if ((op & 0x07) == 0x00) {
                        a = value;
                    } else {
                        x = value;
                    }
                }
                case 0x02 -> mem[checkMem(k, pc)] = a; // BPF_ST
                case 0x03 -> mem[checkMem(k, pc)] = x; // BPF_STX
                case 0x04 -> a = switch (op & 0xf0) { // BPF_ALU
                    case 0x00 -> a + src;
                    case 0x10 -> a - src;
                    case 0x20 -> a * src;
                    case 0x30 -> {
                        if (src == 0) {
                            yield 0; // the kernel ends the program with 0 (SECCOMP_RET_KILL_THREAD)
                        }
                        yield Integer.divideUnsigned(a, src);
                    }
                    case 0x40 -> a | src;
                    case 0x50 -> a & src;
                    case 0x60 -> src >= 32 || src < 0 ? 0 : a << src;
                    case 0x70 -> src >= 32 || src < 0 ? 0 : a >>> src;
                    case 0x80 -> -a;
                    case 0x90 -> src == 0 ? 0 : Integer.remainderUnsigned(a, src);
                    case 0xa0 -> a ^ src;
                    default -> throw unsupported(op, pc);
                };
                case 0x05 -> { // BPF_JMP
                    int jop = op & 0xf0;
                    if (jop == 0x00) { // BPF_JA
                        pc += k;
                        continue;
                    }
                    boolean taken = switch (jop) {
                        case 0x10 -> a == src; // JEQ
                        case 0x20 -> Integer.compareUnsigned(a, src) > 0; // JGT
                        case 0x30 -> Integer.compareUnsigned(a, src) >= 0; // JGE
                        case 0x40 -> (a & src) != 0; // JSET
                        default -> throw unsupported(op, pc);
                    };
                    pc += taken ? jt : jf;
                }
                case 0x06 -> { // BPF_RET
                    return Integer.toUnsignedLong((op & 0x18) == 0x10 ? a : k);
                }
                case 0x07 -> { // BPF_MISC
                    if ((op & 0xf8) == 0x00) {
                        x = a; // TAX
                    } else if ((op & 0xf8) == 0x80) {
                        a = x; // TXA
                    } else {
                        throw unsupported(op, pc);
                    }
                }
                default -> throw unsupported(op, pc);
            }
        }
        throw new IllegalArgumentException("the program ends without a return");
    }

    private static int checkMem(int k, int pc) {
        if (k < 0 || k >= 16) {
            throw new IllegalArgumentException("instruction " + (pc - 1) + ": scratch memory index " + k);
        }
        return k;
    }

    private static IllegalArgumentException unsupported(int op, int pc) {
        return new IllegalArgumentException("instruction " + (pc - 1) + ": opcode 0x" + Integer.toHexString(op) + " is not seccomp BPF");
    }
}
