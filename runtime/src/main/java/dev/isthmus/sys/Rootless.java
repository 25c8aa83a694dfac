package dev.isthmus.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this runtime runs rootless, decided as runc decides it (its {@code --rootless} flag,
 * libcontainer/userns): {@code true} and {@code false} are taken as given; {@code auto} (the
 * default) is rootless when the effective uid is not 0, or when it is 0 inside a user namespace
 * that does not map the whole id range (/proc/self/uid_map is not {@code 0 0 4294967295}), as
 * in rootless podman's and buildah's namespace. A rootless runtime keeps its state under
 * {@code $XDG_RUNTIME_DIR}, makes cgroups only where it may write, and has a non-root parent
 * write its children's id maps (see {@link Spawner}).
 */
public final class Rootless {
    private Rootless() {}

    /** The effective ids, read once: a JVM never changes them. */
    private static final long EUID = statusId("Uid:");
    private static final long EGID = statusId("Gid:");

    private static volatile boolean active;

    /** Sets the mode from {@code --rootless}'s value (null: auto); IllegalArgumentException for another word. */
    public static boolean configure(String flag) {
        boolean on = switch (flag == null ? "auto" : flag) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> detect(euid(), readUidMap());
            default -> throw new IllegalArgumentException("--rootless: must be true, false or auto");
        };
        active = on;
        return on;
    }

    /** Whether the runtime runs rootless (as configured; auto-detected when nobody configured it). */
    public static boolean active() {
        return active;
    }

    static {
        active = detect(euid(), readUidMap());
    }

    /**
     * runc's rule: not root, or root in a user namespace whose uid_map ({@code uidMap}, the text
     * of /proc/self/uid_map; null when unreadable) maps less than the whole range.
     */
    public static boolean detect(long euid, String uidMap) {
        if (euid != 0) {
            return true;
        }
        if (uidMap == null) {
            return false;
        }
        String[] lines = uidMap.strip().split("\n");
        if (lines.length != 1) {
            return true;
        }
        String[] f = lines[0].strip().split("\\s+");
        return !(f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295"));
    }

    private static final boolean IN_USER_NS = detect(0, readUidMap());

    /**
     * Whether this process runs in a user namespace other than the initial one (its uid_map maps
     * less than every id), as rootless podman and buildah run their runtime: mknod is refused
     * there even to root, so devices are bind mounts (runc's userns.RunningInUserNS).
     */
    public static boolean inUserNamespace() {
        return IN_USER_NS;
    }

    /** The effective uid, from /proc/self/status (-1 when unreadable). */
    public static long euid() {
        return EUID;
    }

    /** The effective gid, from /proc/self/status (-1 when unreadable). */
    public static long egid() {
        return EGID;
    }

    private static long statusId(String key) {
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

    private static String readUidMap() {
        try {
            return Files.readString(Path.of("/proc/self/uid_map"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The state root of a rootless runtime: {@code $XDG_RUNTIME_DIR/isthmus} (runc uses
     * {@code $XDG_RUNTIME_DIR/runc}); IllegalArgumentException naming the variable when it is unset.
     */
    public static Path stateRoot(String xdgRuntimeDir) {
        if (xdgRuntimeDir == null || xdgRuntimeDir.isEmpty()) {
            throw new IllegalArgumentException("--root: running rootless, isthmus keeps its state in $XDG_RUNTIME_DIR/isthmus, "
                    + "and XDG_RUNTIME_DIR is not set; set it (to a directory of your own, as /run/user/" + euid()
                    + " under systemd) or give --root DIR");
        }
        if (!xdgRuntimeDir.startsWith("/")) {
            throw new IllegalArgumentException("--root: XDG_RUNTIME_DIR must be an absolute path to hold the rootless state");
        }
        return Path.of(xdgRuntimeDir, "isthmus");
    }
}
