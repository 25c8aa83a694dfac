package dev.isthmus.cgroup;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxResources;
import java.io.IOException;
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
        Set<String> v2 = new LinkedHashSet<>();
        for (ResourceWrites.Write w : writes) {
            if (h.isV2(w.controller())) {
                v2.add(w.controller());
            }
        }
        if (h.mode() == Hierarchy.Mode.V2) {
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
     * Creates the directories, applies the limits and records them in {@code stateDir}. On a
     * refused value removes what it made and throws IllegalArgumentException naming the field.
     */
    public Cgroup make(Path stateDir) throws IOException {
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
