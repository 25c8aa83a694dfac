package dev.isthmus.plan;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a batch template's mount set-up splits between a template mount namespace, made once
 * per batch, and each task (issue 18). What every task would make alike and no task can change
 * goes into the template: the read-only root (bound, pivoted), bind mounts (every task binds
 * the same host directory anyway), a sysfs when the tasks share the runtime's network
 * namespace, the cgroup mount when they share its cgroup namespace, and the masked and
 * read-only paths inside those. What is each task's own stays per task: every new superblock
 * a task could write to or that belongs to the task's namespaces (proc of its pid namespace, a
 * tmpfs, devpts newinstance, mqueue of its ipc namespace, a sysfs of its network namespace),
 * the device nodes when /dev is such a mount, and the masks below those. A task joins the
 * template (setns) and copies it (unshare(CLONE_NEWNS)); its mounts are its own, and the
 * template's mounts are slaves of the host's, not peers: nothing a task mounts reaches the
 * template or another task.
 *
 * @param taskMounts   indices into mounts[] a task makes itself
 * @param taskPaths    masked and read-only paths a task makes itself
 * @param devicesInTask whether /dev is a task's own mount (then so are the device nodes)
 * @param holderMkdirs mount points of the task's mounts that lie in the (read-only) root: the template makes them
 */
record TemplateSplit(Set<Integer> taskMounts, Set<String> taskPaths, boolean devicesInTask, List<String> holderMkdirs) {

    /** The split for {@code c}, or null when a template namespace would not be the same container. */
    static TemplateSplit of(Config c, Host host, Planner.Options options) {
        if (c.linux() == null || c.root() == null || !c.root().readonly() || c.process() == null || c.process().terminal()
                || options.noPivot() || host.rootIsRamfs() || !options.cgroupView().isEmpty()
                || (c.linux().rootfsPropagation() != null && !c.linux().rootfsPropagation().isEmpty())
                || (c.linux().mountLabel() != null && !c.linux().mountLabel().isEmpty())) {
            return null;
        }
        boolean mountNs = false;
        boolean newNet = false;
        boolean newCgroup = false;
        for (LinuxNamespace ns : c.linux().namespaces()) {
            if (ns.path() != null && !ns.path().isEmpty() || ns.type() == NamespaceType.USER) {
                return null; // joined namespaces and user namespaces plan as they always do
            }
            mountNs |= ns.type() == NamespaceType.MOUNT;
            newNet |= ns.type() == NamespaceType.NETWORK;
            newCgroup |= ns.type() == NamespaceType.CGROUP;
        }
        if (!mountNs) {
            return null;
        }
        Set<Integer> taskMounts = new HashSet<>();
        List<String> taskDests = new ArrayList<>();
        boolean devTmpfs = false;
        List<Mount> mounts = c.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String dest = InRoot.normalize(m.destination());
            String type = m.type() == null ? "" : m.type();
            boolean bind = type.equals("bind") || m.options().contains("bind") || m.options().contains("rbind");
            boolean cgroup = type.equals("cgroup") || type.equals("cgroup2");
            boolean shareable = bind || (type.equals("sysfs") && !newNet) || (cgroup && !newCgroup);
            if (shareable && !under(dest, taskDests)) {
                if (taskDests.stream().anyMatch(d -> under(d, List.of(dest)))) {
                    return null; // it would cover a task's earlier mount: the order would change what is seen
                }
                continue;
            }
            if (bind || cgroup) {
                return null; // a task's own mount of a host path: only the template looks host paths up
            }
            taskMounts.add(i);
            taskDests.add(dest);
            devTmpfs |= dest.equals("/dev") && type.equals("tmpfs");
        }
        boolean devicesInTask = under("/dev", taskDests);
        Set<String> taskPaths = new HashSet<>();
        for (String p : c.linux().maskedPaths()) {
            String n = InRoot.normalize(p);
            if (under(n, taskDests)) {
                if (!devTmpfs) {
                    return null; // a task's own mask binds /dev/null, which must be its own fresh /dev's
                }
                taskPaths.add(n);
            }
        }
        for (String p : c.linux().readonlyPaths()) {
            String n = InRoot.normalize(p);
            if (under(n, taskDests)) {
                taskPaths.add(n);
            }
        }
        if (!devicesInTask && !c.linux().devices().isEmpty()) {
            return null; // configured nodes in a shared /dev would be every task's
        }
        List<String> mkdirs = new ArrayList<>();
        for (String d : taskDests) {
            if (!under(d, taskDests.stream().filter(o -> !o.equals(d)).toList())) {
                mkdirs.add(d);
            }
        }
        return new TemplateSplit(Set.copyOf(taskMounts), Set.copyOf(taskPaths), devicesInTask, List.copyOf(mkdirs));
    }

    /** Whether {@code path} is one of {@code dests} or below one. */
    static boolean under(String path, List<String> dests) {
        for (String d : dests) {
            if (path.equals(d) || path.startsWith(d.equals("/") ? "/" : d + "/")) {
                return true;
            }
        }
        return false;
    }
}
