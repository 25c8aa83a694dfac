package dev.isthmus.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cgroup hierarchies of this host, read at run time from /proc/self/mountinfo: v1 hierarchies
 * (fstype {@code cgroup}, one or more controllers named in the super options, e.g. {@code rw,cpu,cpuacct}),
 * the v2 hierarchy (fstype {@code cgroup2}, its controllers in {@code cgroup.controllers}), and the
 * runtime's own cgroup in each (/proc/self/cgroup), against which relative cgroupsPaths resolve.
 * A controller lives in exactly one hierarchy (cgroups(7)); on a hybrid host such as this one, v1
 * holds most of them and the v2 mount at /sys/fs/cgroup/unified holds the rest (here hugetlb).
 *
 * @param v1          controller name to the mount point of its v1 hierarchy (named hierarchies such
 *                    as name=systemd are not controllers and are left out)
 * @param v2          the cgroup2 mount point, or null
 * @param v2Controllers controllers available at the v2 root
 * @param ownV1       controller to the runtime's cgroup in that hierarchy ("/a/b")
 * @param ownV2       the runtime's v2 cgroup ("/a/b"), "/" when unknown
 */
public record Hierarchy(Map<String, Path> v1, Path v2, Set<String> v2Controllers, Map<String, String> ownV1, String ownV2) {

    public enum Mode {
        V1, HYBRID, V2;

        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The live host's hierarchies. */
    public static Hierarchy detect() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")), Files.readAllLines(Path.of("/proc/self/cgroup")),
                mount -> {
                    try {
                        return Files.readString(mount.resolve("cgroup.controllers")).trim();
                    } catch (IOException e) {
                        return "";
                    }
                });
    }

    /** From the lines of mountinfo and /proc/self/cgroup; {@code controllersOf} reads a v2 root's cgroup.controllers. */
    public static Hierarchy parse(List<String> mountinfo, List<String> procCgroup, java.util.function.Function<Path, String> controllersOf) {
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        record Line(Path mountPoint, String[] right) {}
        List<Line> lines = new java.util.ArrayList<>();
        for (String line : mountinfo) {
            int sep = line.indexOf(" - ");
            if (sep < 0) {
                continue;
            }
            String[] left = line.substring(0, sep).split(" ");
            String[] right = line.substring(sep + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            lines.add(new Line(Path.of(unescape(left[4])), right));
        }
        for (int i = 0; i < lines.size(); i++) {
            Path mountPoint = lines.get(i).mountPoint();
            String[] right = lines.get(i).right();
            // A mount that a later one covers (on the same point or a parent: a tmpfs over
            // /sys/fs/cgroup/unified, as crun is run on hybrid hosts) is not the hierarchy
            // that path shows: skipped, as runc does.
            boolean hidden = false;
            for (int j = i + 1; j < lines.size() && !hidden; j++) {
                hidden = mountPoint.startsWith(lines.get(j).mountPoint());
            }
            if (hidden) {
                continue;
            }
            if (right[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
            } else if (right[0].equals("cgroup")) {
                for (String opt : right[2].split(",")) {
                    if (KNOWN_V1.contains(opt)) {
                        v1.putIfAbsent(opt, mountPoint);
                    }
                }
            }
        }
        Set<String> v2Controllers = new LinkedHashSet<>();
        if (v2 != null) {
            for (String c : controllersOf.apply(v2).split("\\s+")) {
                if (!c.isEmpty() && !v1.containsKey(c)) {
                    v2Controllers.add(c);
                }
            }
        }
        Map<String, String> ownV1 = new LinkedHashMap<>();
        String ownV2 = "/";
        for (String line : procCgroup) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                ownV2 = f[2];
            } else {
                for (String c : f[1].split(",")) {
                    ownV1.put(c, f[2]);
                }
            }
        }
        return new Hierarchy(Map.copyOf(v1), v2, Set.copyOf(v2Controllers), Map.copyOf(ownV1), ownV2);
    }

    /** The v1 controllers cgroups(7) names. */
    static final Set<String> KNOWN_V1 = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
            "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc");

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public Mode mode() {
        if (v1.isEmpty()) {
            return Mode.V2;
        }
        return v2 != null ? Mode.HYBRID : Mode.V1;
    }

    /** Whether {@code controller} exists here, in either hierarchy. */
    public boolean has(String controller) {
        return v1.containsKey(controller) || v2Controllers.contains(controller);
    }

    /** Whether {@code controller} is a v2 one here. */
    public boolean isV2(String controller) {
        return !v1.containsKey(controller) && v2Controllers.contains(controller);
    }

    /** Where {@code controller}'s hierarchy is mounted, or null. */
    public Path mountOf(String controller) {
        Path p = v1.get(controller);
        return p != null ? p : v2Controllers.contains(controller) ? v2 : null;
    }
}
