package dev.isthmus.spec;

import java.util.List;

/**
 * {@code RLIMIT_*} names and resource numbers (getrlimit(2); asm-generic numbering used by x86_64 and aarch64).
 */
public final class RlimitNames {
    /** Index = resource number. */
    private static final List<String> NAMES = List.of(
            "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
            "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    private RlimitNames() {}

    public static List<String> all() {
        return NAMES;
    }

    /** The resource number of an {@code RLIMIT_*} name; IllegalArgumentException (without the name) if unknown. */
    public static int parse(String name) {
        int n = name == null ? -1 : NAMES.indexOf(name);
        if (n < 0) {
            throw new IllegalArgumentException("unknown rlimit type");
        }
        return n;
    }

    public static String format(int resource) {
        if (resource < 0 || resource >= NAMES.size()) {
            throw new IllegalArgumentException("unknown rlimit resource " + resource);
        }
        return NAMES.get(resource);
    }

    static boolean known(String name) {
        return name != null && NAMES.contains(name);
    }
}
