package dev.isthmus.plan;

import dev.isthmus.sys.Syscall;
import java.util.List;

/**
 * The system-call surface the {@link Interpreter} runs a program against. Arguments arrive
 * resolved: {@link Long} for integers and slot values, {@link String} (or null) for strings,
 * {@code byte[]} for blocks, {@code List<String>} for string arrays and {@link Cell} for a slot's
 * address. The result follows the kernel's convention: a value, or -errno.
 */
public interface Kernel {

    long call(Syscall call, List<Object> args);

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
