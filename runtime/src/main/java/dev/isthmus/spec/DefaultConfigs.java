package dev.isthmus.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configs {@code runc spec} and {@code runc spec --rootless} write (runc's libcontainer/specconv Example and
 * ToRootless, as of runc 1.2): {@code sh} on a terminal, the seven default mounts, masked and read-only /proc and
 * /sys paths, three capabilities (no ambient set since runc 1.2), RLIMIT_NOFILE 1024, and the pid, network, ipc,
 * uts and mount namespaces, plus cgroup on a cgroup v2 host. Rootless drops the network namespace, adds a user
 * namespace mapping root to the caller, bind-mounts /sys and drops {@code gid=}/{@code uid=} mount options and the
 * device cgroup rule.
 */
public final class DefaultConfigs {
    /** The ociVersion written into new configs: the newest spec version this runtime implements. */
    public static final String OCI_VERSION = ConfigValidator.SUPPORTED_MAJOR + "." + ConfigValidator.SUPPORTED_MINOR + ".0";

    private static final List<String> DEFAULT_CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private DefaultConfigs() {}

    /**
     * As {@code runc spec [--rootless]} on this host: a cgroup namespace when /sys/fs/cgroup is cgroup v2, and for
     * rootless the effective uid and gid of this process as the mapped host ids.
     */
    public static Config runcDefault(boolean rootless) {
        boolean cgroup2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        long[] ids = rootless ? effectiveIds() : new long[] {0, 0};
        return runcDefault(rootless, cgroup2, ids[0], ids[1]);
    }

    /** The same without looking at the host: deterministic, for tests and for writing a config for elsewhere. */
    public static Config runcDefault(boolean rootless, boolean cgroupNamespace, long hostUid, long hostGid) {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(new Mount("/proc", "proc", "proc", List.of(), List.of(), List.of()));
        mounts.add(new Mount("/dev", "tmpfs", "tmpfs",
                List.of("nosuid", "strictatime", "mode=755", "size=65536k"), List.of(), List.of()));
        mounts.add(new Mount("/dev/pts", "devpts", "devpts", rootless
                ? List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")
                : List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                List.of(), List.of()));
        mounts.add(new Mount("/dev/shm", "shm", "tmpfs",
                List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"), List.of(), List.of()));
        mounts.add(new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"), List.of(),
                List.of()));
        mounts.add(rootless
                ? new Mount("/sys", "/sys", "none", List.of("rbind", "nosuid", "noexec", "nodev", "ro"), List.of(),
                        List.of())
                : new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"), List.of(),
                        List.of()));
        mounts.add(new Mount("/sys/fs/cgroup", "cgroup", "cgroup",
                List.of("nosuid", "noexec", "nodev", "relatime", "ro"), List.of(), List.of()));

        List<LinuxNamespace> namespaces = new ArrayList<>();
        namespaces.add(new LinuxNamespace(NamespaceType.PID, null));
        if (!rootless) {
            namespaces.add(new LinuxNamespace(NamespaceType.NETWORK, null));
        }
        namespaces.add(new LinuxNamespace(NamespaceType.IPC, null));
        namespaces.add(new LinuxNamespace(NamespaceType.UTS, null));
        namespaces.add(new LinuxNamespace(NamespaceType.MOUNT, null));
        if (cgroupNamespace) {
            namespaces.add(new LinuxNamespace(NamespaceType.CGROUP, null));
        }
        if (rootless) {
            namespaces.add(new LinuxNamespace(NamespaceType.USER, null));
        }

        Process process = new Process(true, null, new User(0, 0, null, List.of(), null), List.of("sh"), null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                new Capabilities(DEFAULT_CAPS, DEFAULT_CAPS, List.of(), DEFAULT_CAPS, List.of()),
                List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), true, null, null, null, null, null, null);

        LinuxResources resources = rootless ? null : new LinuxResources(
                List.of(new LinuxResources.DeviceCgroup(false, null, null, null, "rwm")),
                null, null, null, null, List.of(), null, Map.of(), Map.of());

        Linux linux = new Linux(
                namespaces,
                rootless ? List.of(new IdMapping(0, hostUid, 1)) : List.of(),
                rootless ? List.of(new IdMapping(0, hostGid, 1)) : List.of(),
                List.of(), null, resources, Map.of(), null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                null, null, null, Map.of());

        return new Config(OCI_VERSION, process, new Root("rootfs", true), "runc", null, mounts, null, Map.of(), linux);
    }

    /** Effective uid and gid from /proc/self/status (the second column of the Uid: and Gid: lines). */
    private static long[] effectiveIds() {
        long uid = 0;
        long gid = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    gid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or no procfs: map root to root, as runc would for euid 0
        }
        return new long[] {uid, gid};
    }
}
