package dev.isthmus.cgroup;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the lifecycle needs of cgroups, in the order it needs it: {@link #prepare} checks a config's
 * cgroupsPath and resources against this host with no side effect; {@link #make} creates the
 * directories, applies the limits and records them beside the container's state (undoing all of
 * it when a value is refused); the launch then moves the init in before it runs anything; and
 * {@link #release} removes the directories when the container is deleted.
 */
public final class ContainerCgroup {
    private final Cgroup cgroup;
    private final List<ResourceWrites.Write> writes;
    private final Set<String> v2Controllers;

    private final java.util.Map<String, String> view;

    private ContainerCgroup(Cgroup cgroup, List<ResourceWrites.Write> writes, Set<String> v2Controllers,
            java.util.Map<String, String> view) {
        this.cgroup = cgroup;
        this.writes = writes;
        this.v2Controllers = v2Controllers;
        this.view = view;
    }

    /**
     * On a v1 or hybrid host, the container's directories by the name of their hierarchy's
     * mount under /sys/fs/cgroup ("memory", "cpu,cpuacct", "unified"): what its "cgroup" mount
     * shows (Planner.Options.cgroupView). Empty on a v2-only host, where the mount is a cgroup2
     * filesystem of its own.
     */
    public java.util.Map<String, String> view() {
        return view;
    }

    /** Validates {@code config}'s cgroup settings here; IllegalArgumentException naming the field. */
    public static ContainerCgroup prepare(String id, Config config) throws IOException {
        Hierarchy h = Hierarchy.detect();
        String path = config.linux() == null ? null : config.linux().cgroupsPath();
        LinuxResources r = config.linux() == null ? null : config.linux().resources();
        List<ResourceWrites.Write> writes = ResourceWrites.of(r, h, config.linux() == null ? List.of() : config.linux().devices());
        Cgroup cg = Cgroup.plan(h, CgroupPath.of(path, id));
        if (dev.isthmus.sys.Rootless.active()) {
            cg = cg.only(ContainerCgroup::writable);
            writes = rootlessWrites(writes, cg, h);
        }
        Set<String> v2 = new LinkedHashSet<>();
        for (ResourceWrites.Write w : writes) {
            if (h.isV2(w.controller())) {
                v2.add(w.controller());
            }
        }
        if (h.mode() == Hierarchy.Mode.V2 && !dev.isthmus.sys.Rootless.active()) {
            for (String c : List.of("cpu", "memory", "pids", "io", "hugetlb")) {
                if (h.v2Controllers().contains(c)) {
                    v2.add(c); // for events --stats, as a v2 runtime's container has them
                }
            }
        }
        java.util.Map<String, String> view = new java.util.LinkedHashMap<>();
        if (h.mode() != Hierarchy.Mode.V2) {
            for (Cgroup.Dir d : cg.dirs()) {
                Path mount = d.v2() ? h.v2() : h.mountOf(d.controllers().iterator().next());
                if (mount != null && mount.getParent() != null && mount.getParent().equals(Path.of("/sys/fs/cgroup"))) {
                    view.put(mount.getFileName().toString(), d.path().toString());
                }
            }
        }
        return new ContainerCgroup(cg, writes, v2, view);
    }

    /**
     * Whether a rootless runtime may make (or enter) {@code d}: its nearest existing ancestor is
     * writable by this process, and when it exists already, so is its cgroup.procs. A delegated
     * cgroup v2 subtree (systemd's user@UID.service) is; a root-owned v1 hierarchy is not, and is
     * then left alone, as runc's rootless cgroup manager leaves it.
     */
    static boolean writable(Cgroup.Dir d) {
        Path p = d.path();
        if (Files.isDirectory(p)) {
            return Files.isWritable(p.resolve("cgroup.procs")) && Files.isWritable(p);
        }
        while (p != null && !Files.isDirectory(p)) {
            p = p.getParent();
        }
        return p != null && Files.isWritable(p);
    }

    /**
     * The writes a rootless container keeps: device rules are left out where no writable
     * devices cgroup exists (in a user namespace mknod is refused anyway and the devices are
     * bind mounts; runc's rootless manager ignores them the same way); any other value without a
     * writable directory of its controller is refused, naming the field and the directory.
     */
    private static List<ResourceWrites.Write> rootlessWrites(List<ResourceWrites.Write> writes, Cgroup usable, Hierarchy h) {
        List<ResourceWrites.Write> kept = new java.util.ArrayList<>();
        Cgroup all = null;
        for (ResourceWrites.Write w : writes) {
            String c = w.controller().equals(ResourceWrites.EBPF_DEVICES) ? ResourceWrites.V2_CORE : w.controller();
            if (usable.holds(c)) {
                kept.add(w);
                continue;
            }
            if (w.controller().equals("devices") || w.controller().equals(ResourceWrites.EBPF_DEVICES)) {
                continue;
            }
            String where = h.isV2(w.controller()) ? "the cgroup v2 hierarchy" : "the " + w.controller() + " hierarchy";
            throw new IllegalArgumentException(w.field() + ": running rootless (uid " + dev.isthmus.sys.Rootless.euid()
                    + "), isthmus may set it only in a cgroup this user may write, and " + where + " holds none for this container "
                    + "(no delegated subtree, such as systemd's user@UID.service, is writable here); drop the limit or run as root");
        }
        return kept;
    }

    /**
     * Creates the directories, applies the limits and records them in {@code stateDir}. On a
     * refused value removes what it made and throws IllegalArgumentException naming the field.
     */
    public Cgroup make(Path stateDir) throws IOException {
        if (cgroup.dirs().isEmpty()) {
            return cgroup; // rootless without a writable hierarchy: no cgroup, nothing recorded (the scan finds its processes)
        }
        boolean ok = false;
        try {
            cgroup.create(v2Controllers, stateDir);
            cgroup.apply(writes);
            ok = true;
            return cgroup;
        } finally {
            if (!ok) {
                try {
                    cgroup.remove(1000);
                } catch (IOException e) {
                    System.err.println("isthmus: warning: " + e.getMessage());
                }
            }
        }
    }

    public Cgroup cgroup() {
        return cgroup;
    }

    /** The cgroup recorded for the container whose state is in {@code stateDir}, or null. */
    public static Cgroup recorded(Path stateDir) {
        try {
            return Cgroup.load(stateDir);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether that container's cgroup is frozen (its status is then "paused"). */
    public static boolean frozen(Path stateDir) {
        Cgroup cg = recorded(stateDir);
        return cg != null && cg.frozen();
    }

    /** Thaws a frozen container's cgroup (so that a SIGKILL sent to it takes effect). */
    public static void thaw(Path stateDir) {
        Cgroup cg = recorded(stateDir);
        if (cg != null && cg.frozen()) {
            try {
                cg.thaw();
            } catch (IOException e) {
                System.err.println("isthmus: warning: " + e.getMessage());
            }
        }
    }

    /** On delete: kills what is left in the cgroup and removes its directories (a warning when one stays). */
    public static void release(Path stateDir) {
        Cgroup cg = recorded(stateDir);
        if (cg == null) {
            return;
        }
        cg.killAll();
        try {
            cg.remove(5000);
        } catch (IOException e) {
            System.err.println("isthmus: warning: " + e.getMessage());
        }
    }
}
