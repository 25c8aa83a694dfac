package dev.isthmus.proc;

import dev.isthmus.sys.ProcNsScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The processes of a container, found by scanning /proc for those whose namespace (the pid
 * namespace when the container has its own, else its mount namespace) is the container's, named
 * by its link text ("mnt:[4026532449]", the inode of /proc/PID/ns/mnt). Processes fork during a
 * scan, so it repeats until two passes agree; processes that vanish are skipped, and entries that
 * cannot be read (on this host at least /proc/1) are counted.
 */
public final class NamespaceScan {
    private NamespaceScan() {}

    /** One scan's outcome: the member pids, sorted, and how many entries could not be read. */
    public record Result(List<Integer> pids, int unreadable) {
        /** Whether no member was found while every entry could be read. */
        public boolean provablyEmpty() {
            return pids.isEmpty() && unreadable == 0;
        }
    }

    private static final int MAX_PASSES = 10;

    /** Pids sharing {@code init}'s pid namespace, or its mount namespace when that is the runtime's own. */
    public static List<Integer> members(int init) throws IOException {
        return scan(init).pids();
    }

    /** The scan of {@code init}'s namespace, repeated until two passes agree (at most 10 passes). */
    public static Result scan(int init) throws IOException {
        String identity = identity(init);
        if (identity.isEmpty()) {
            throw new IOException("process " + init + " shares its pid and mount namespaces with the runtime: no namespace to scan");
        }
        return scan(Path.of("/proc"), identity);
    }

    /**
     * The namespace that tells {@code pid}'s container apart from the runtime, as its link text:
     * its pid namespace when that is not the runtime's, else its mount namespace when that is
     * not, else "" (nothing to tell it apart by).
     */
    public static String identity(int pid) throws IOException {
        for (String type : new String[] {"pid", "mnt"}) {
            String own = Files.readSymbolicLink(Path.of("/proc/self/ns", type)).toString();
            String its = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", type)).toString();
            if (!own.equals(its)) {
                return its;
            }
        }
        return "";
    }

    /**
     * The processes under {@code procDir} (/proc or a tree laid out like it) in the namespace
     * {@code identity} ("TYPE:[INODE]"), repeated until two passes agree.
     */
    public static Result scan(Path procDir, String identity) {
        int colon = identity.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a namespace link: " + identity);
        }
        String type = identity.substring(0, colon);
        byte[] target = identity.getBytes(StandardCharsets.US_ASCII);
        try (ProcNsScanner scanner = ProcNsScanner.open(procDir.toString())) {
            Pass previous = new Pass();
            previous.run(scanner, type, target);
            for (int i = 1; i < MAX_PASSES; i++) {
                Pass next = new Pass();
                next.run(scanner, type, target);
                if (next.samePids(previous)) {
                    return next.result();
                }
                previous = next;
            }
            return previous.result();
        }
    }

    /** One pass's members, kept as ints (no boxing during the pass). */
    private static final class Pass {
        private int[] pids = new int[16];
        private int count;
        private int unreadable;

        void run(ProcNsScanner scanner, String type, byte[] target) {
            unreadable = scanner.pass(type, target, pid -> {
                if (count == pids.length) {
                    pids = Arrays.copyOf(pids, count * 2);
                }
                pids[count++] = pid;
            });
            Arrays.sort(pids, 0, count);
        }

        boolean samePids(Pass other) {
            return Arrays.equals(pids, 0, count, other.pids, 0, other.count);
        }

        Result result() {
            return new Result(Arrays.stream(pids, 0, count).boxed().toList(), unreadable);
        }
    }
}
