package dev.isthmus.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The configs `isthmus spec` writes: the same defaults as `runc spec` and `runc spec --rootless`. */
public final class DefaultConfigs {
    private DefaultConfigs() {}

    private static final List<String> CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    public static Config runcDefault(boolean rootless) {
        Process process = new Process(true, null, new User(0, 0, null, List.of(), null), List.of("sh"), null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                new Capabilities(CAPS, CAPS, List.of(), CAPS, CAPS), List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), true, null,
                null, null, null, null, null);
        List<Mount> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        if (rootless) {
            mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
        } else {
            mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        }
        mounts.add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        if (rootless) {
            mounts.add(mount("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
        } else {
            mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        }
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
        List<LinuxNamespace> ns = new ArrayList<>();
        ns.add(new LinuxNamespace(NamespaceType.PID, null));
        if (!rootless) {
            ns.add(new LinuxNamespace(NamespaceType.NETWORK, null));
        }
        ns.add(new LinuxNamespace(NamespaceType.IPC, null));
        ns.add(new LinuxNamespace(NamespaceType.UTS, null));
        ns.add(new LinuxNamespace(NamespaceType.MOUNT, null));
        List<IdMapping> maps = List.of();
        if (rootless) {
            ns.add(new LinuxNamespace(NamespaceType.USER, null));
            long uid = currentId("-u");
            maps = List.of(new IdMapping(0, uid, 1));
        }
        List<IdMapping> gidMaps = rootless ? List.of(new IdMapping(0, currentId("-g"), 1)) : List.of();
        Map<String, Object> resources = rootless ? null
                : Map.of("devices", List.of(Map.of("allow", Boolean.FALSE, "access", "rwm")));
        Linux linux = new Linux(ns, maps, gidMaps, List.of(), null, resources, Map.of(), null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"), null, null, null, Map.of());
        return new Config(Config.SPEC_VERSION, process, new Root("rootfs", true), "isthmus", null, mounts, null, Map.of(), linux);
    }

    private static Mount mount(String dest, String type, String source, String... options) {
        return new Mount(dest, source, type, List.of(options), List.of(), List.of());
    }

    /** The caller's uid or gid, from /proc/self/status (the JVM offers no portable getter). */
    private static long currentId(String which) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith(which.equals("-u") ? "Uid:" : "Gid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]); // effective id
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return 0;
    }
}
