package dev.isthmus.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of a container, found by scanning /proc for those whose namespace (the pid
 * namespace when the container has its own, else its mount namespace) is the init's. One pass;
 * processes that vanish or cannot be read are skipped (the repeated scan until two agree, and the
 * count of unreadable entries, are the stateless modes' work).
 */
public final class NamespaceScan {
    private NamespaceScan() {}

    /** Pids sharing {@code init}'s pid namespace, or its mount namespace when that is the runtime's own. */
    public static List<Integer> members(int init) throws IOException {
        String type = same("pid", init) ? "mnt" : "pid";
        Path target = Files.readSymbolicLink(Path.of("/proc", Integer.toString(init), "ns", type));
        List<Integer> out = new ArrayList<>();
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
                } catch (IOException e) {
                    // gone since the listing, or not readable (e.g. pid 1 here): skipped
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static boolean same(String type, int pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", type))
                .equals(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", type)));
    }
}
