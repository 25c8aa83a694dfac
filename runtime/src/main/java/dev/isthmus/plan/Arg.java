package dev.isthmus.plan;

import java.util.List;

/**
 * One argument of a {@link Step}. Everything a step points to is a value here; the sys package lays
 * strings, byte blocks and pointer arrays out in the program's arena, so the plan stays free of
 * native memory and can be interpreted, printed and compared in plain Java.
 */
public sealed interface Arg {

    /** An integer, with an optional symbolic spelling for listings (e.g. {@code MS_BIND|MS_REC}). */
    record Imm(long value, String symbol) implements Arg {
        public Imm(long value) {
            this(value, null);
        }
    }

    /** A NUL-terminated string; {@code null} stands for a NULL pointer. */
    record Str(String value) implements Arg {}

    /** A block of bytes (a struct or a buffer), passed by address. */
    record Bytes(byte[] value, String symbol) implements Arg {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }
    }

    /**
     * A {@code struct sock_fprog} (linux/filter.h): {@code len} = program.length / 8 and a pointer
     * to {@code program}, the classic BPF instructions (8 bytes each), both laid out with the
     * program. For seccomp(2)'s SECCOMP_SET_MODE_FILTER; {@code symbol} is its listing.
     */
    record SockFprog(byte[] program, String symbol) implements Arg {
        public SockFprog {
            if (program.length == 0 || program.length % 8 != 0 || program.length / 8 > 0xffff) {
                throw new IllegalArgumentException("a BPF program is 1 to 65535 instructions of 8 bytes: " + program.length + " bytes");
            }
            program = program.clone();
        }

        @Override
        public byte[] program() {
            return program.clone();
        }
    }

    /**
     * A NULL-terminated array of string pointers (argv, envp). With {@code redact}, listings show
     * only what precedes the first '=' of each entry: environment values may be secrets.
     */
    record StrArray(List<String> values, boolean redact) implements Arg {
        public StrArray {
            values = List.copyOf(values);
        }
    }

    /** The value of a slot, filled in by the executor at run time (fd plumbing). */
    record Slot(int slot) implements Arg {
        public Slot {
            Step.checkSlot(slot);
        }
    }

    /** The address of a slot: 8 writable bytes in the child (a read() buffer). */
    record SlotAddr(int slot) implements Arg {
        public SlotAddr {
            Step.checkSlot(slot);
        }
    }

    static Arg imm(long v) {
        return new Imm(v);
    }

    static Arg imm(long v, String symbol) {
        return new Imm(v, symbol);
    }

    static Arg str(String s) {
        return new Str(s);
    }

    static Arg nul() {
        return new Str(null);
    }
}
