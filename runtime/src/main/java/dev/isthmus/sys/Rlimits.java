package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.util.Map;

/** RLIMIT_* names of config.json's process.rlimits and their resource numbers. */
public final class Rlimits {
    private Rlimits() {}

    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("RLIMIT_CPU", Linux.RLIMIT_CPU()),
            Map.entry("RLIMIT_FSIZE", Linux.RLIMIT_FSIZE()),
            Map.entry("RLIMIT_DATA", Linux.RLIMIT_DATA()),
            Map.entry("RLIMIT_STACK", Linux.RLIMIT_STACK()),
            Map.entry("RLIMIT_CORE", Linux.RLIMIT_CORE()),
            Map.entry("RLIMIT_RSS", Linux.RLIMIT_RSS()),
            Map.entry("RLIMIT_NPROC", Linux.RLIMIT_NPROC()),
            Map.entry("RLIMIT_NOFILE", Linux.RLIMIT_NOFILE()),
            Map.entry("RLIMIT_MEMLOCK", Linux.RLIMIT_MEMLOCK()),
            Map.entry("RLIMIT_AS", Linux.RLIMIT_AS()),
            Map.entry("RLIMIT_LOCKS", Linux.RLIMIT_LOCKS()),
            Map.entry("RLIMIT_SIGPENDING", Linux.RLIMIT_SIGPENDING()),
            Map.entry("RLIMIT_MSGQUEUE", Linux.RLIMIT_MSGQUEUE()),
            Map.entry("RLIMIT_NICE", Linux.RLIMIT_NICE()),
            Map.entry("RLIMIT_RTPRIO", Linux.RLIMIT_RTPRIO()),
            Map.entry("RLIMIT_RTTIME", Linux.RLIMIT_RTTIME()));

    /** The resource number of {@code name}, or null when it is not one. */
    public static Integer resource(String name) {
        return BY_NAME.get(name);
    }
}
