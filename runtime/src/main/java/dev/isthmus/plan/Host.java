package dev.isthmus.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What the planner needs to know about the host, read at plan time. An interface because it has
 * two real users: {@link #LIVE} and the fixed facts of planner tests.
 */
public interface Host {

    /** Whether {@code p} is a directory (without following a final symlink when {@code follow} is false). */
    boolean isDirectory(Path p, boolean follow);

    /**
     * Whether {@code p} exists (without following a final symlink). Fixed hosts of tests say
     * yes unless they know better.
     */
    default boolean exists(Path p) {
        return true;
    }

    /** The target of symlink {@code p}, or null when {@code p} is not a symlink (or cannot be read). */
    default String symlinkTarget(Path p) {
        return null;
    }

    /**
     * One entry below a directory of the rootfs, as lstat(2) gives it: {@code rel} relative to
     * that directory ("a/b"), parents before children; {@code mode} with the S_IFMT bits.
     */
    record Entry(String rel, long mode, long uid, long gid, long size, long rdev, String linkTarget) {
        public long type() {
            return mode & 0170000;
        }
    }

    /**
     * The entries below directory {@code dir} (not following symlinks), at most {@code limit}
     * of them (one more when there are more); empty when it is not a directory.
     */
    default java.util.List<Entry> tree(Path dir, int limit) {
        return java.util.List.of();
    }

    /** The cgroup v2 hierarchy is the only one (no v1 controllers mounted). */
    boolean cgroup2Only();

    /** The current root is on rootfs/ramfs, where pivot_root(2) fails (see pivot_root(2), NOTES). */
    boolean rootIsRamfs();

    /** The runtime's effective uid. */
    long uid();

    /** The runtime's effective gid. */
    long gid();

    /** Whether the runtime itself runs in a user namespace that is not the initial one (mknod is refused there). */
    default boolean inUserNamespace() {
        return false;
    }

    /** AppArmor is enabled on this host (/sys/module/apparmor/parameters/enabled is Y). */
    default boolean appArmor() {
        return false;
    }

    /** SELinux is enabled on this host (selinuxfs mounted at /sys/fs/selinux). */
    default boolean seLinux() {
        return false;
    }

    /** The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
    default int lastCap() {
        return dev.isthmus.spec.CapabilityNames.LAST;
    }

    Host LIVE = new Host() {
        @Override
        public boolean isDirectory(Path p, boolean follow) {
            return follow ? Files.isDirectory(p) : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public boolean exists(Path p) {
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public String symlinkTarget(Path p) {
            try {
                return Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).toString() : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public java.util.List<Entry> tree(Path dir, int limit) {
            java.util.List<Entry> out = new java.util.ArrayList<>();
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return out;
            }
            try (var walk = Files.walk(dir)) {
                for (var it = walk.iterator(); it.hasNext() && out.size() <= limit;) {
                    Path p = it.next();
                    if (p.equals(dir)) {
                        continue;
                    }
                    var a = Files.readAttributes(p, "unix:mode,uid,gid,size,rdev", LinkOption.NOFOLLOW_LINKS);
                    long mode = ((Number) a.get("mode")).longValue();
                    String link = (mode & 0170000) == 0120000 ? Files.readSymbolicLink(p).toString() : null;
                    out.add(new Entry(dir.relativize(p).toString(), mode, ((Number) a.get("uid")).longValue(),
                            ((Number) a.get("gid")).longValue(), ((Number) a.get("size")).longValue(), ((Number) a.get("rdev")).longValue(),
                            link));
                }
            } catch (IOException | UncheckedIOException e) {
                throw new UncheckedIOException(e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
            }
            return out;
        }

        @Override
        public boolean cgroup2Only() {
            try {
                return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
            } catch (SecurityException e) {
                return false;
            }
        }

        @Override
        public long uid() {
            return statusId("Uid:");
        }

        @Override
        public long gid() {
            return statusId("Gid:");
        }

        @Override
        public boolean inUserNamespace() {
            return dev.isthmus.sys.Rootless.inUserNamespace();
        }

        /** The effective id (second field) of a /proc/self/status line. */
        private long statusId(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[1]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through
            }
            return -1;
        }

        @Override
        public boolean appArmor() {
            try {
                return Files.readAllLines(Path.of("/sys/module/apparmor/parameters/enabled")).getFirst().strip().equals("Y");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public boolean seLinux() {
            return Files.exists(Path.of("/sys/fs/selinux/enforce"));
        }

        @Override
        public int lastCap() {
            try {
                // Not Files.readString: on this sysctl it returns only the first digit ("4" for 40).
                return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().strip());
            } catch (IOException | RuntimeException e) {
                return dev.isthmus.spec.CapabilityNames.LAST;
            }
        }

        @Override
        public boolean rootIsRamfs() {
            try {
                String type = "";
                for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                    String[] f = line.split(" ");
                    if (f.length > 2 && f[1].equals("/")) {
                        type = f[2]; // the last entry for "/" is the visible one
                    }
                }
                return type.equals("rootfs") || type.equals("ramfs");
            } catch (IOException e) {
                return false;
            }
        }
    };
}
