package dev.isthmus.cgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * linux.cgroupsPath as a path inside each hierarchy (config-linux.md "Cgroups path"): an absolute
 * path is taken from the hierarchy's root, a relative one from the runtime's own cgroup in that
 * hierarchy, and the systemd form {@code slice:prefix:name} becomes the path systemd gives that
 * unit, {@code /a.slice/a-b.slice/prefix-name.scope} (systemd.slice(5): dashes in a slice's name
 * nest it). isthmus makes those directories itself; it does not ask systemd for a transient unit.
 * Without a cgroupsPath the container gets {@code /isthmus/ID}, or with --systemd-cgroup
 * {@code system.slice:isthmus:ID}.
 *
 * @param path     "/"-separated, starting with "/" when absolute
 * @param relative resolve under the runtime's own cgroup
 */
public record CgroupPath(String path, boolean relative) {

    /** Whether the runtime was asked for systemd-style default paths (--systemd-cgroup). */
    private static volatile boolean systemdDefault;

    public static void systemdDefault(boolean on) {
        systemdDefault = on;
    }

    public static CgroupPath of(String cgroupsPath, String id) {
        if (cgroupsPath == null || cgroupsPath.isEmpty()) {
            if (dev.isthmus.sys.Rootless.active()) {
                // Under the runtime's own cgroup: where a delegated subtree (a user's systemd
                // service) lets an unprivileged user make one.
                return new CgroupPath("/isthmus/" + id, true);
            }
            return systemdDefault ? systemd("system.slice:isthmus:" + id) : new CgroupPath("/isthmus/" + id, false);
        }
        if (cgroupsPath.split(":", -1).length == 3) {
            return systemd(cgroupsPath);
        }
        if (cgroupsPath.contains(":")) {
            throw bad("must be a path or the systemd form slice:prefix:name");
        }
        boolean relative = !cgroupsPath.startsWith("/");
        return new CgroupPath(clean(cgroupsPath), relative);
    }

    private static CgroupPath systemd(String s) {
        String[] f = s.split(":", -1);
        String slice = f[0].isEmpty() ? "system.slice" : f[0];
        String prefix = f[1];
        String name = f[2];
        if (name.isEmpty()) {
            throw bad("the systemd form slice:prefix:name needs a name");
        }
        if (!slice.endsWith(".slice") || slice.contains("/")) {
            throw bad("the slice in slice:prefix:name must end in .slice and hold no /");
        }
        StringBuilder p = new StringBuilder();
        if (!slice.equals("-.slice")) {
            String base = slice.substring(0, slice.length() - ".slice".length());
            String[] parts = base.split("-");
            StringBuilder acc = new StringBuilder();
            for (String part : parts) {
                if (part.isEmpty()) {
                    throw bad("the slice " + slice + " has an empty part");
                }
                acc.append(acc.isEmpty() ? "" : "-").append(part);
                p.append('/').append(acc).append(".slice");
            }
        }
        String unit = name.endsWith(".slice") ? name : (prefix.isEmpty() ? name : prefix + "-" + name) + ".scope";
        if (unit.contains("/")) {
            throw bad("the unit name in slice:prefix:name holds a /");
        }
        p.append('/').append(unit);
        return new CgroupPath(p.toString(), false);
    }

    /** Collapses "//" and ".", refusing ".." (a cgroup path must not climb out of its base). */
    private static String clean(String s) {
        List<String> parts = new ArrayList<>();
        for (String part : s.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw bad("must not contain ..");
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            throw bad("names the root cgroup; a container needs a cgroup of its own");
        }
        return "/" + String.join("/", parts);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("linux.cgroupsPath: " + why);
    }
}
