package dev.isthmus.container;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.sys.InRootLookup;
import dev.isthmus.sys.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts of a container without a mount namespace of its own: the init made them in the
 * runtime's mount namespace under the rootfs (as runc does; see Planner), so they outlive the
 * container until this removes them, at delete or at the end of a foreground run. Each target is
 * looked up again in the rootfs (openat2 RESOLVE_IN_ROOT, as it was mounted) and unmounted
 * (MNT_DETACH) through its fd while it is a mount point, newest first; never the rootfs itself.
 */
final class HostMounts {
    private HostMounts() {}

    // MNT_DETACH is read where it is used, not in a static field: initialising jextract's class
    // starts FFM, which a `delete` of a container with its own mount namespace never needs.

    /** Whether {@code config} mounts in the runtime's own mount namespace. */
    static boolean apply(Config config) {
        if (config == null || config.root() == null || config.linux() == null) {
            return false;
        }
        boolean ownNs = config.linux().namespaces().stream().anyMatch(n -> n.type() == NamespaceType.MOUNT);
        return !ownNs && !(config.mounts().isEmpty() && config.linux().maskedPaths().isEmpty() && config.linux().readonlyPaths().isEmpty());
    }

    /** Unmounts what the container of {@code config} (bundle {@code bundle}) mounted under its rootfs; warnings to stderr. */
    static void release(Path bundle, Config config) {
        if (!apply(config)) {
            return;
        }
        List<String> targets = new ArrayList<>();
        targets.addAll(config.linux().readonlyPaths().reversed());
        targets.addAll(config.linux().maskedPaths().reversed());
        for (Mount m : config.mounts().reversed()) {
            targets.add(m.destination());
        }
        Path rootfs = bundle.resolve(config.root().path()).normalize();
        int root;
        try {
            root = Libc.open(rootfs.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        } catch (dev.isthmus.sys.SysException e) {
            System.err.println("isthmus: warning: unmounting under " + rootfs + ": " + e.getMessage());
            return;
        }
        try {
            Object rootId = id(root);
            for (String t : targets) {
                String rel = Path.of("/").relativize(Path.of("/").resolve(t).normalize()).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                // stacked mounts (a mask over a mount) come off one at a time
                for (int i = 0; i < 16; i++) {
                    int fd = InRootLookup.open(root, rel, Libc.O_PATH | Libc.O_CLOEXEC);
                    if (fd < 0) {
                        break;
                    }
                    try {
                        if (id(fd).equals(rootId) || Libc.umount2("/proc/self/fd/" + fd, dev.isthmus.ffm.Linux.MNT_DETACH()) < 0) {
                            break; // the rootfs itself, or no longer a mount point
                        }
                    } finally {
                        Libc.close(fd);
                    }
                }
            }
        } finally {
            Libc.close(root);
        }
    }

    private static Object id(int fd) {
        try {
            var a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino");
            return List.of(a.get("dev"), a.get("ino"));
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
