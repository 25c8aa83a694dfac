package dev.isthmus.plan;

import dev.isthmus.sys.Syscall;
import java.util.ArrayList;
import java.util.List;

/**
 * One raw system call of a spawn program, with the flags the stub understands.
 *
 * @param call      the system call
 * @param args      up to six arguments; at most two may be {@link Arg.Slot} or {@link Arg.SlotAddr},
 *                  and at most one of those an {@link Arg.SlotAddr}
 * @param flags     {@link #CHECK}, {@link #STORE}, {@link #NONZERO}
 * @param storeSlot where the result goes when {@link #STORE} is set
 * @param tolerate  one errno that counts as success with {@link #CHECK} (0: none)
 * @param what      what the step does, for error messages: "mount proc on /proc"
 */
public record Step(Syscall call, List<Arg> args, int flags, int storeSlot, int tolerate, String what) {

    /** A result in [-4095, -1] fails the program, unless it is {@code -tolerate}. */
    public static final int CHECK = 0x01;
    /** Store the result in {@link #storeSlot}. */
    public static final int STORE = 0x02;
    /** With CHECK: a result of 0 fails too (errno reported as 0), e.g. EOF on a sync pipe. */
    public static final int NONZERO = 0x20;

    /** Slots available to a program; the stub keeps them on the child's stack. */
    public static final int SLOTS = 16;

    public Step {
        args = List.copyOf(args);
        if (args.size() > 6) {
            throw new IllegalArgumentException(call + ": more than six arguments");
        }
        if ((flags & ~(CHECK | STORE | NONZERO)) != 0) {
            throw new IllegalArgumentException("unknown step flags " + Integer.toHexString(flags));
        }
        if ((flags & STORE) != 0) {
            checkSlot(storeSlot);
        }
        if (tolerate < 0 || tolerate > 0xffff) {
            throw new IllegalArgumentException("tolerated errno out of range: " + tolerate);
        }
        int slotArgs = 0;
        int slotAddrs = 0;
        for (Arg a : args) {
            if (a instanceof Arg.Slot) {
                slotArgs++;
            } else if (a instanceof Arg.SlotAddr) {
                slotArgs++;
                slotAddrs++;
            }
        }
        if (slotArgs > 2 || slotAddrs > 1) {
            throw new IllegalArgumentException(call + ": at most two slot arguments, at most one of them an address");
        }
    }

    static void checkSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("slot out of range: " + slot);
        }
    }

    public boolean checked() {
        return (flags & CHECK) != 0;
    }

    /** A checked call: the program fails when it fails. */
    public static Step of(Syscall call, String what, Arg... args) {
        return new Step(call, List.of(args), CHECK, 0, 0, what);
    }

    /** A checked call for which one errno counts as success (e.g. EEXIST for mkdir). */
    public static Step tolerating(int errno, Syscall call, String what, Arg... args) {
        return new Step(call, List.of(args), CHECK, 0, errno, what);
    }

    /** A checked call whose result (e.g. an fd) is kept in {@code slot}. */
    public static Step storing(int slot, Syscall call, String what, Arg... args) {
        return new Step(call, List.of(args), CHECK | STORE, slot, 0, what);
    }

    /** An unchecked call: its result is ignored (e.g. one candidate of a PATH search). */
    public static Step unchecked(Syscall call, String what, Arg... args) {
        return new Step(call, List.of(args), 0, 0, 0, what);
    }

    /** strace-like rendering: {@code mount("proc", "/proc", "proc", MS_NOSUID, NULL)}. */
    public String render() {
        List<String> parts = new ArrayList<>(args.size());
        for (Arg a : args) {
            parts.add(render(a));
        }
        StringBuilder sb = new StringBuilder(call.kernelName()).append('(').append(String.join(", ", parts)).append(')');
        if ((flags & STORE) != 0) {
            sb.append(" -> $").append(storeSlot);
        }
        if (!checked()) {
            sb.append("  # result ignored");
        } else if (tolerate != 0) {
            sb.append("  # ").append(dev.isthmus.sys.Errno.name(tolerate)).append(" tolerated");
        }
        if ((flags & NONZERO) != 0) {
            sb.append("  # 0 fails");
        }
        return sb.toString();
    }

    private static String render(Arg a) {
        return switch (a) {
            case Arg.Imm i -> i.symbol() != null ? i.symbol() : Long.toString(i.value());
            case Arg.Str s -> s.value() == null ? "NULL" : quote(s.value());
            case Arg.Bytes b -> b.symbol() != null ? b.symbol() : "<" + b.value().length + " bytes>";
            case Arg.SockFprog f -> f.symbol() != null ? f.symbol() : "{len=" + f.program().length / 8 + ", filter=...}";
            case Arg.StrArray v -> {
                List<String> q = new ArrayList<>(v.values().size());
                for (String s : v.values()) {
                    int eq = s.indexOf('=');
                    q.add(v.redact() && eq >= 0 ? quote(s.substring(0, eq + 1) + "...") : quote(s));
                }
                yield "[" + String.join(", ", q) + "]";
            }
            case Arg.Slot s -> "$" + s.slot();
            case Arg.SlotAddr s -> "&$" + s.slot();
        };
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
