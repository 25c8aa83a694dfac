package dev.isthmus.spec;

import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers (x86_64, signal(7)); real-time signals as RTMIN+n. */
public final class Signals {
    private Signals() {}

    private static final List<String> NAMES = List.of("", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
            "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
            "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",
            "SIGPWR", "SIGSYS");
    private static final int SIGRTMIN = 34;
    private static final int SIGRTMAX = 64;

    /** Parses "SIGTERM", "TERM", "term", "15", "RTMIN+3"; returns -1 for anything else. */
    public static int parse(String s) {
        if (s == null || s.isEmpty()) {
            return -1;
        }
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                int n = Integer.parseInt(s);
                return n >= 1 && n <= SIGRTMAX ? n : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        String u = s.toUpperCase(Locale.ROOT);
        if (!u.startsWith("SIG")) {
            u = "SIG" + u;
        }
        int i = NAMES.indexOf(u);
        if (i > 0) {
            return i;
        }
        if (u.equals("SIGIOT")) {
            return 6;
        }
        if (u.equals("SIGPOLL")) {
            return 29;
        }
        if (u.startsWith("SIGRTMIN")) {
            int off = offset(u.substring(8), '+');
            return off >= 0 && SIGRTMIN + off <= SIGRTMAX ? SIGRTMIN + off : -1;
        }
        if (u.startsWith("SIGRTMAX")) {
            int off = offset(u.substring(8), '-');
            return off >= 0 && SIGRTMAX - off >= SIGRTMIN ? SIGRTMAX - off : -1;
        }
        return -1;
    }

    private static int offset(String rest, char sign) {
        if (rest.isEmpty()) {
            return 0;
        }
        if (rest.charAt(0) != sign || rest.length() == 1 || !rest.substring(1).chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return rest.length() > 3 ? -1 : Integer.parseInt(rest.substring(1));
    }

    /** The canonical name: "SIGTERM", "SIGRTMIN+3". */
    public static String format(int signal) {
        if (signal >= 1 && signal < NAMES.size()) {
            return NAMES.get(signal);
        }
        if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
            return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (signal - SIGRTMIN);
        }
        throw new IllegalArgumentException("not a signal number: " + signal);
    }

    /** Whether {@code signal} is a valid signal number. */
    public static boolean valid(int signal) {
        return (signal >= 1 && signal < NAMES.size()) || (signal >= SIGRTMIN && signal <= SIGRTMAX);
    }
}
