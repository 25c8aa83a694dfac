package dev.isthmus.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Signal names and numbers on Linux x86_64 (signal(7)). {@link #parse} accepts {@code SIGTERM}, {@code TERM},
 * {@code term} and {@code 15}, the aliases IOT, CLD and POLL, and {@code SIGRTMIN+n} / {@code SIGRTMAX-n};
 * {@link #format} gives the canonical {@code SIG*} name as {@code kill -l} prints it, and
 * {@code parse(format(n)) == n} for every n from 1 to {@link #MAX}.
 */
public final class Signals {
    public static final int SIGRTMIN = 34;
    public static final int MAX = 64;

    /** Index = signal number; 0, 32 and 33 have no name (32 and 33 are reserved by glibc). */
    private static final String[] NAMES = new String[MAX + 1];

    static {
        String[] classic = {
            null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
            "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
            "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
        };
        System.arraycopy(classic, 0, NAMES, 0, classic.length);
        for (int n = SIGRTMIN; n <= MAX; n++) {
            int fromMin = n - SIGRTMIN;
            int fromMax = MAX - n;
            // kill -l: RTMIN+0..RTMIN+15, then RTMAX-14..RTMAX
            NAMES[n] = fromMin <= 15
                    ? (fromMin == 0 ? "RTMIN" : "RTMIN+" + fromMin)
                    : (fromMax == 0 ? "RTMAX" : "RTMAX-" + fromMax);
        }
    }

    private Signals() {}

    /** The signal number; throws IllegalArgumentException (without echoing the input) if not a signal. */
    public static int parse(String signal) {
        if (signal == null || signal.isEmpty()) {
            throw new IllegalArgumentException("empty signal");
        }
        if (Character.isDigit(signal.charAt(0))) {
            int n;
            try {
                n = Integer.parseInt(signal);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown signal");
            }
            if (n < 1 || n > MAX) {
                throw new IllegalArgumentException("unknown signal");
            }
            return n;
        }
        String name = signal.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        switch (name) {
            case "IOT": return 6;
            case "CLD": return 17;
            case "POLL": return 29;
            default: break;
        }
        for (int n = 1; n <= MAX; n++) {
            if (name.equals(NAMES[n])) {
                return n;
            }
        }
        int rt = realtime(name, "RTMIN+", SIGRTMIN, 1);
        if (rt < 0) {
            rt = realtime(name, "RTMAX-", MAX, -1);
        }
        if (rt < SIGRTMIN || rt > MAX) {
            throw new IllegalArgumentException("unknown signal");
        }
        return rt;
    }

    private static int realtime(String name, String prefix, int base, int sign) {
        if (!name.startsWith(prefix) || name.length() == prefix.length() || name.length() > prefix.length() + 2) {
            return -1;
        }
        int offset = 0;
        for (int i = prefix.length(); i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            offset = offset * 10 + (c - '0');
        }
        return base + sign * offset;
    }

    /** {@code SIGTERM} for 15, {@code SIGRTMIN+3} for 37; numbers without a name (32, 33) as digits. */
    public static String format(int number) {
        if (number < 1 || number > MAX) {
            throw new IllegalArgumentException("signal number out of range: " + number);
        }
        String name = NAMES[number];
        return name == null ? Integer.toString(number) : "SIG" + name;
    }

    /** Canonical names of every named signal, by number. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= MAX; n++) {
            if (NAMES[n] != null) {
                out.add("SIG" + NAMES[n]);
            }
        }
        return Collections.unmodifiableList(out);
    }
}
