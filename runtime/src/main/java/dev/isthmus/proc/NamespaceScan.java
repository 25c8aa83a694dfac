package dev.isthmus.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of a container, found by scanning /proc for those whose namespace (the pid
 * namespace when the container has its own, else its mount namespace) is the init's. Processes
 * fork during a scan, so it repeats until two passes agree; processes that vanish are skipped,
 * and entries that cannot be read (on this host at least /proc/1) are counted.
 */
public final class NamespaceScan {
    private NamespaceScan() {}

    /** One scan's outcome: the member pids, sorted, and how many entries could not be read. */
    public record Result(List<Integer> pids, int unreadable) {}

    private static final int MAX_PASSES = 10;

    /** Pids sharing {@code init}'s pid namespace, or its mount namespace when that is the runtime's own. */
    public static List<Integer> members(int init) throws IOException {
        return scan(init).pids();
    }

    /** The scan of {@code init}'s namespace, repeated until two passes agree (at most 10 passes). */
    public static Result scan(int init) throws IOException {
        String type = same("pid", init) ? "mnt" : "pid";
        Path target = Files.readSymbolicLink(Path.of("/proc", Integer.toString(init), "ns", type));
        Result previous = pass(type, target);
        for (int i = 1; i < MAX_PASSES; i++) {
            Result next = pass(type, target);
            if (next.pids().equals(previous.pids())) {
                return next;
            }
            previous = next;
        }
        return previous;
    }

    private static Result pass(String type, Path target) throws IOException {
        List<Integer> out = new ArrayList<>();
        int unreadable = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    if (Files.readSymbolicLink(p.resolve("ns").resolve(type)).equals(target)) {
                        out.add(Integer.parseInt(name));
                    }
                } catch (NoSuchFileException e) {
                    // ended since the listing
                } catch (IOException e) {
                    unreadable++; // e.g. EACCES on /proc/1/ns here
                }
            }
        }
        out.sort(null);
        return new Result(List.copyOf(out), unreadable);
    }

    private static boolean same(String type, int pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", type))
                .equals(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", type)));
    }
}
