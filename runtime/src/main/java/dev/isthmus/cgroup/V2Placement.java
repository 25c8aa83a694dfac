package dev.isthmus.cgroup;

import dev.isthmus.sys.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cgroup v2 directory that children are cloned into with CLONE_INTO_CGROUP (clone(2)), found
 * from linux.cgroupsPath: absolute paths are under the cgroup2 mount (/sys/fs/cgroup on a pure v2
 * host, /sys/fs/cgroup/unified on a hybrid one), relative ones under the runtime's own v2 cgroup.
 * Directories it creates are removed again on close, deepest first, once empty.
 */
public final class V2Placement implements AutoCloseable {
    private final Path dir;
    private final int fd;
    private final List<Path> created;

    private V2Placement(Path dir, int fd, List<Path> created) {
        this.dir = dir;
        this.fd = fd;
        this.created = created;
    }

    /** The placement for {@code cgroupsPath}, creating its directories. */
    public static V2Placement of(String cgroupsPath) throws IOException {
        if (cgroupsPath.contains(":")) {
            throw new IllegalArgumentException("linux.cgroupsPath: a systemd slice path (slice:prefix:name) needs systemd cgroup support, "
                    + "which isthmus does not have yet");
        }
        Path mount = cgroup2Mount();
        if (mount == null) {
            throw new IllegalArgumentException("linux.cgroupsPath: this host has no cgroup2 hierarchy mounted for CLONE_INTO_CGROUP");
        }
        Path base = cgroupsPath.startsWith("/") ? mount : mount.resolve(ownCgroup());
        Path dir = base.resolve(cgroupsPath.replaceFirst("^/+", "")).normalize();
        if (!dir.startsWith(mount)) {
            throw new IllegalArgumentException("linux.cgroupsPath: leaves the cgroup hierarchy");
        }
        List<Path> created = new ArrayList<>();
        for (Path p = dir; !Files.isDirectory(p); p = p.getParent()) {
            created.addFirst(p);
        }
        for (Path p : created) {
            Files.createDirectory(p);
        }
        try {
            return new V2Placement(dir, Libc.open(dir.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), created.reversed());
        } catch (RuntimeException e) {
            for (Path p : created.reversed()) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
    }

    /** Where the cgroup2 filesystem is mounted, from /proc/self/mountinfo, or null. */
    static Path cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int sep = line.indexOf(" - ");
            if (sep > 0 && line.substring(sep + 3).startsWith("cgroup2 ")) {
                return Path.of(line.split(" ")[4]);
            }
        }
        return null;
    }

    /** This process's v2 cgroup ("0::/path" in /proc/self/cgroup), relative. */
    static String ownCgroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                return line.substring(3).replaceFirst("^/+", "");
            }
        }
        return "";
    }

    public Path dir() {
        return dir;
    }

    /** An O_PATH fd of the directory, for clone_args.cgroup. */
    public int fd() {
        return fd;
    }

    @Override
    public void close() throws IOException {
        Libc.close(fd);
        for (Path p : created) {
            Files.deleteIfExists(p); // rmdir: fails (and is reported) while a process is still in it
        }
    }
}
