package dev.isthmus.spec;

import java.util.List;

/**
 * Linux capability names and numbers (capability(7), include/uapi/linux/capability.h), 0 to 40.
 * {@code parse(format(n)) == n} for every known number.
 */
public final class CapabilityNames {
    /** Index = capability number. */
    private static final List<String> NAMES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
            "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
            "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    private static final java.util.Map<String, Integer> NUMBERS;

    static {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            m.put(NAMES.get(i), i);
        }
        NUMBERS = java.util.Map.copyOf(m);
    }

    /** The highest capability number known here (CAP_LAST_CAP of Linux 5.9 and later). */
    public static final int LAST = NAMES.size() - 1;

    private CapabilityNames() {}

    /** All names, ordered by number. */
    public static List<String> all() {
        return NAMES;
    }

    /** The number of a {@code CAP_*} name; throws IllegalArgumentException (without the name) if unknown. */
    public static int parse(String name) {
        int n = lookup(name);
        if (n < 0) {
            throw new IllegalArgumentException("unknown capability");
        }
        return n;
    }

    /** The {@code CAP_*} name of a number from 0 to {@link #LAST}. */
    public static String format(int number) {
        if (number < 0 || number > LAST) {
            throw new IllegalArgumentException("unknown capability number " + number);
        }
        return NAMES.get(number);
    }

    /** The number, or -1 when the name is not known. */
    static int lookup(String name) {
        Integer n = name == null ? null : NUMBERS.get(name);
        return n == null ? -1 : n;
    }
}
