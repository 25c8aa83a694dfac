package dev.isthmus.plan;

import dev.isthmus.sys.Syscall;
import java.util.List;

/**
 * The system-call surface the {@link Interpreter} runs a program against. Arguments arrive
 * resolved: {@link Long} for integers and slot values, {@link String} (or null) for strings,
 * {@code byte[]} for blocks, {@code List<String>} for string arrays, {@link Fprog} for a struct
 * sock_fprog and {@link Cell} for a slot's address. The result follows the kernel's convention: a value, or -errno.
 */
public interface Kernel {

    long call(Syscall call, List<Object> args);

    /** A struct sock_fprog passed by address: the BPF program it points to (8 bytes per instruction). */
    record Fprog(byte[] program) {
        public Fprog {
            program = program.clone();
        }

        @Override
        public byte[] program() {
            return program.clone();
        }

        public int len() {
            return program.length / 8;
        }
    }

    /** A slot passed by address: the call may write into it, as read(2) does. */
    final class Cell {
        private long value;

        public Cell(long value) {
            this.value = value;
        }

        public long get() {
            return value;
        }

        public void set(long value) {
            this.value = value;
        }
    }
}
