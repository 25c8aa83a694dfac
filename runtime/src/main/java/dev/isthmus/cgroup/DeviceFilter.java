package dev.isthmus.cgroup;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program, the cgroup v2 device controller
 * (Documentation/admin-guide/cgroup-v2.rst, "Device controller"). The program reads the
 * request from its context, struct bpf_cgroup_dev_ctx {u32 access_type (access << 16 | type);
 * u32 major; u32 minor}, and checks the rules from the last to the first: the first that
 * matches decides (1 allows, 0 refuses); none matching refuses. With a leading deny-all and
 * allows after it, that is what the same list means to v1's devices.allow/deny.
 */
public final class DeviceFilter {
    private DeviceFilter() {}

    /** A rule: type 'a', 'c' or 'b'; major/minor -1 for any; access a subset of "rwm". */
    public record Rule(boolean allow, char type, long major, long minor, String access) {
        /** From v1 syntax, "c 1:3 rwm" or "a". */
        static Rule parse(boolean allow, String v1) {
            if (v1.equals("a")) {
                return new Rule(allow, 'a', -1, -1, "rwm");
            }
            String[] p = v1.split(" ");
            String[] mm = p[1].split(":");
            return new Rule(allow, p[0].charAt(0), mm[0].equals("*") ? -1 : Long.parseLong(mm[0]),
                    mm[1].equals("*") ? -1 : Long.parseLong(mm[1]), p[2]);
        }
    }

    // struct bpf_insn opcodes (linux/bpf.h, linux/bpf_common.h)
    private static final int LDX_MEM_W = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    private static final int MOV64_X = 0xbf;     // BPF_ALU64 | BPF_MOV | BPF_X
    private static final int MOV64_K = 0xb7;     // BPF_ALU64 | BPF_MOV | BPF_K
    private static final int AND64_K = 0x57;     // BPF_ALU64 | BPF_AND | BPF_K
    private static final int RSH64_K = 0x77;     // BPF_ALU64 | BPF_RSH | BPF_K
    private static final int JNE_K = 0x55;       // BPF_JMP | BPF_JNE | BPF_K
    private static final int EXIT = 0x95;        // BPF_JMP | BPF_EXIT

    /** BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR; BPF_DEVCG_ACC_MKNOD, READ, WRITE. */
    private static final int DEV_BLOCK = 1;
    private static final int DEV_CHAR = 2;

    static int accessBits(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= c == 'm' ? 1 : c == 'r' ? 2 : c == 'w' ? 4 : 0;
        }
        return bits;
    }

    /** The program's instructions, 8 bytes each (little endian). */
    public static byte[] program(List<Rule> rules) {
        List<long[]> insns = new ArrayList<>(); // {code, dst, src, off, imm}
        insns.add(new long[] {LDX_MEM_W, 2, 1, 0, 0});   // r2 = ctx->access_type
        insns.add(new long[] {MOV64_X, 3, 2, 0, 0});     // r3 = r2 & 0xffff: type
        insns.add(new long[] {AND64_K, 3, 0, 0, 0xffff});
        insns.add(new long[] {MOV64_X, 4, 2, 0, 0});     // r4 = r2 >> 16: access
        insns.add(new long[] {RSH64_K, 4, 0, 0, 16});
        insns.add(new long[] {LDX_MEM_W, 5, 1, 4, 0});   // r5 = ctx->major
        insns.add(new long[] {LDX_MEM_W, 6, 1, 8, 0});   // r6 = ctx->minor
        boolean catchAll = false;
        for (Rule r : rules.reversed()) {
            List<long[]> block = new ArrayList<>();
            List<Integer> jumps = new ArrayList<>();
            if (r.type() != 'a') {
                jumps.add(block.size());
                block.add(new long[] {JNE_K, 3, 0, 0, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR});
            }
            if (r.major() >= 0) {
                jumps.add(block.size());
                block.add(new long[] {JNE_K, 5, 0, 0, r.major()});
            }
            if (r.minor() >= 0) {
                jumps.add(block.size());
                block.add(new long[] {JNE_K, 6, 0, 0, r.minor()});
            }
            int notCovered = 7 & ~accessBits(r.access());
            if (notCovered != 0) {
                block.add(new long[] {MOV64_X, 7, 4, 0, 0}); // the request asks for access the rule does not name
                block.add(new long[] {AND64_K, 7, 0, 0, notCovered});
                jumps.add(block.size());
                block.add(new long[] {JNE_K, 7, 0, 0, 0});
            }
            block.add(new long[] {MOV64_K, 0, 0, 0, r.allow() ? 1 : 0});
            block.add(new long[] {EXIT, 0, 0, 0, 0});
            for (int j : jumps) {
                block.get(j)[3] = block.size() - j - 1; // to the next rule's block
            }
            insns.addAll(block);
            if (jumps.isEmpty()) {
                catchAll = true; // matches every request: the rules before it never decide (the verifier refuses dead code)
                break;
            }
        }
        if (!catchAll) {
            insns.add(new long[] {MOV64_K, 0, 0, 0, 0});
            insns.add(new long[] {EXIT, 0, 0, 0, 0});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(insns.size() * 8);
        for (long[] i : insns) {
            out.write((int) i[0]);
            out.write((int) ((i[2] << 4) | i[1]));
            out.write((int) (i[3] & 0xff));
            out.write((int) ((i[3] >> 8) & 0xff));
            int imm = (int) i[4];
            for (int k = 0; k < 4; k++) {
                out.write((imm >> (8 * k)) & 0xff);
            }
        }
        return out.toByteArray();
    }
}
