package dev.isthmus.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process named by its pid and its start time (field 22 of /proc/PID/stat, in clock ticks since
 * boot): a reused pid has another start time, so it is never taken for the container.
 */
public record ProcessIdentity(int pid, long startTime) {

    /** The identity of live process {@code pid}, or null when there is none (or only its zombie). */
    public static ProcessIdentity of(int pid) {
        String[] f = stat(pid);
        if (f == null || f[0].equals("Z") || f[0].equals("X")) {
            return null;
        }
        return new ProcessIdentity(pid, Long.parseLong(f[19]));
    }

    /**
     * The identity of {@code pid} even when it has already ended but not been reaped (a zombie:
     * its start time is still readable), or null. For the parent of a child that may end fast.
     */
    public static ProcessIdentity ofUnreaped(int pid) {
        String[] f = stat(pid);
        return f == null ? null : new ProcessIdentity(pid, Long.parseLong(f[19]));
    }

    /** Whether this very process is still alive (same pid, same start time, not a zombie). */
    public boolean alive() {
        ProcessIdentity now = of(pid);
        return now != null && now.startTime == startTime;
    }

    /** Fields of /proc/PID/stat after the command name, starting with the state, or null. */
    private static String[] stat(int pid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // The command name is in parentheses and may contain spaces: split after the last ')'.
            return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
