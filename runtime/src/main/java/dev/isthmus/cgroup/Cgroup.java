package dev.isthmus.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A container's cgroup: one directory in each hierarchy (every v1 hierarchy that holds a
 * controller, and the v2 one when mounted). Plain cgroupfs reads and writes: make the
 * directories, apply {@link ResourceWrites}, move a pid in, freeze and thaw, remove deepest
 * first. What was made is recorded in a file so that later commands (update, pause, delete) find it.
 */
public final class Cgroup {
    /** Name of the record beside a container's state.json. */
    public static final String RECORD = "cgroup";

    /** One directory: its path, the controllers it holds, whether it is the v2 one. */
    public record Dir(Path path, Set<String> controllers, boolean v2) {}

    private final List<Dir> dirs;
    /** Directories this container made, in creation order (parents first). */
    private final List<Path> made;

    private Cgroup(List<Dir> dirs, List<Path> made) {
        this.dirs = dirs;
        this.made = made;
    }

    /** The container's cgroup at {@code p} on {@code h}; nothing is made yet. */
    public static Cgroup plan(Hierarchy h, CgroupPath p) {
        Map<Path, Set<String>> byMount = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : h.v1().entrySet()) {
            byMount.computeIfAbsent(e.getValue(), k -> new LinkedHashSet<>()).add(e.getKey());
        }
        List<Dir> dirs = new ArrayList<>();
        for (Map.Entry<Path, Set<String>> e : byMount.entrySet()) {
            String own = p.relative() ? h.ownV1().getOrDefault(e.getValue().iterator().next(), "/") : "/";
            dirs.add(new Dir(under(e.getKey(), own, p.path()), Set.copyOf(e.getValue()), false));
        }
        if (h.v2() != null) {
            Set<String> c = new LinkedHashSet<>(h.v2Controllers());
            c.add(ResourceWrites.V2_CORE);
            dirs.add(new Dir(under(h.v2(), p.relative() ? h.ownV2() : "/", p.path()), c, true));
        }
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("linux.cgroupsPath: this host has no cgroup hierarchy mounted");
        }
        return new Cgroup(List.copyOf(dirs), new ArrayList<>());
    }

    private static Path under(Path mount, String own, String path) {
        Path dir = mount;
        for (String part : (own + "/" + path).split("/")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        return dir.normalize();
    }

    public List<Dir> dirs() {
        return dirs;
    }

    /**
     * This (not yet made) cgroup with only the directories {@code keep} accepts; possibly none, a
     * rootless container's cgroup where the user may write nowhere: then nothing is made or recorded.
     */
    public Cgroup only(Predicate<Dir> keep) {
        return new Cgroup(dirs.stream().filter(keep).toList(), new ArrayList<>());
    }

    /**
     * Makes the directories (a v1 cpuset directory starts with no cpus and mems, so it gets its
     * parent's; v2 parents get the needed controllers in cgroup.subtree_control). The record in
     * {@code stateDir} is written before the first directory is made and names every directory
     * about to be made: a runtime killed at any point leaves a record from which {@code delete -f}
     * removes them (those never made are skipped); it is written again once they exist.
     */
    public void create(Set<String> v2Controllers, Path stateDir) throws IOException {
        List<List<Path>> missing = new ArrayList<>();
        for (Dir d : dirs) {
            Path mount = mountOf(d);
            List<Path> m = new ArrayList<>();
            for (Path q = d.path(); !q.equals(mount) && !Files.isDirectory(q); q = q.getParent()) {
                m.addFirst(q);
            }
            missing.add(m);
            for (Path q : m) {
                if (!made.contains(q)) {
                    made.add(q);
                }
            }
        }
        save(stateDir);
        for (int i = 0; i < dirs.size(); i++) {
            Dir d = dirs.get(i);
            Path mount = mountOf(d);
            if (d.v2()) {
                enableControllers(mount, d.path(), v2Controllers);
            }
            for (Path q : missing.get(i)) {
                try {
                    Files.createDirectory(q);
                } catch (FileAlreadyExistsException e) {
                    // another container made the same parent meanwhile (or, for the leaf, a
                    // cgroup of someone else's appeared): not this container's to remove
                    made.remove(q);
                }
                if (d.controllers().contains("cpuset") && !d.v2()) {
                    inherit(q, "cpuset.cpus");
                    inherit(q, "cpuset.mems");
                }
            }
            if (d.v2()) {
                enableControllers(mount, d.path(), v2Controllers);
            }
        }
        save(stateDir);
    }

    /**
     * Whether this container made its own directory in every hierarchy: only then are the
     * processes in it the container's alone. A cgroup that already existed (a linux.cgroupsPath
     * shared with other processes) is never emptied or removed by the container (runc warns).
     */
    public boolean ownsLeaves() {
        for (Dir d : dirs) {
            if (!made.contains(d.path())) {
                return false;
            }
        }
        return true;
    }

    /** The hierarchy's root: the highest ancestor that holds cgroup.procs. */
    private static Path mountOf(Dir d) {
        Path root = d.path();
        for (Path a = d.path().getParent(); a != null; a = a.getParent()) {
            if (Files.exists(a.resolve("cgroup.procs"))) {
                root = a;
            }
        }
        return root;
    }

    private static void enableControllers(Path mount, Path leaf, Set<String> controllers) throws IOException {
        if (controllers.isEmpty()) {
            return;
        }
        for (Path a = mount; !a.equals(leaf) && Files.isDirectory(a); a = a.resolve(leaf.getName(a.getNameCount()))) {
            Path ctl = a.resolve("cgroup.subtree_control");
            Set<String> on = Set.of(Files.readString(ctl).trim().split("\\s+"));
            for (String c : controllers) {
                if (!on.contains(c)) {
                    write(ctl, "+" + c);
                }
            }
        }
    }

    private static void inherit(Path dir, String file) throws IOException {
        if (Files.readString(dir.resolve(file)).isBlank()) {
            write(dir.resolve(file), Files.readString(dir.getParent().resolve(file)).trim());
        }
    }

    /** Applies the writes in order; IllegalArgumentException naming the field of the first one the kernel refuses. */
    public void apply(List<ResourceWrites.Write> writes) {
        List<DeviceFilter.Rule> rules = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            ResourceWrites.Write w = writes.get(i);
            if (w.controller().equals(ResourceWrites.EBPF_DEVICES)) {
                rules.add(DeviceFilter.Rule.parse(w.file().equals("devices.allow"), w.value()));
                continue;
            }
            try {
                try {
                    write(dirOf(w.controller()).resolve(w.file()), w.value());
                } catch (NoSuchFileException e) {
                    // blkio.weight and weight_device belong to CFQ, gone since 5.0; BFQ has its own files
                    if (!w.file().startsWith("blkio.weight")) {
                        throw e;
                    }
                    write(dirOf(w.controller()).resolve(w.file().replace("blkio.", "blkio.bfq.")), w.value());
                }
            } catch (IOException e) {
                // v1 keeps memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every step:
                // raising both needs memsw first, lowering both the limit first.
                if (i + 1 < writes.size() && isMemoryPair(w) && isMemoryPair(writes.get(i + 1))) {
                    ResourceWrites.Write next = writes.get(i + 1);
                    try {
                        write(dirOf(next.controller()).resolve(next.file()), next.value());
                        write(dirOf(w.controller()).resolve(w.file()), w.value());
                        i++;
                        continue;
                    } catch (IOException again) {
                        e.addSuppressed(again);
                    }
                }
                throw refused(w, e);
            }
        }
        if (!rules.isEmpty()) {
            try {
                dev.isthmus.sys.Bpf.attachDeviceProgram(DeviceFilter.program(rules), dirOf(ResourceWrites.V2_CORE).toString());
            } catch (dev.isthmus.sys.SysException e) {
                throw new IllegalArgumentException("linux.resources.devices: " + e.getMessage());
            }
        }
    }

    private static boolean isMemoryPair(ResourceWrites.Write w) {
        return w.file().equals("memory.limit_in_bytes") || w.file().equals("memory.memsw.limit_in_bytes");
    }

    private static IllegalArgumentException refused(ResourceWrites.Write w, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new IllegalArgumentException(w.field() + ": this kernel has no " + w.file() + " (" + w.controller() + " cgroup)");
        }
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        int colon = why.lastIndexOf(": ");
        return new IllegalArgumentException(w.field() + ": the kernel refused \"" + w.value() + "\" for " + w.file() + " ("
                + (colon >= 0 ? why.substring(colon + 2) : why) + ")");
    }

    /** The first directory {@code which} accepts, or null. */
    private Dir find(Predicate<Dir> which) {
        for (Dir d : dirs) {
            if (which.test(d)) {
                return d;
            }
        }
        return null;
    }

    /** The directory holding {@code controller} ("" for v2's core files). */
    public Path dirOf(String controller) {
        Dir d = find(x -> x.controllers().contains(controller));
        if (d == null) {
            throw new IllegalArgumentException("no cgroup directory holds the " + (controller.isEmpty() ? "v2 core" : controller) + " controller");
        }
        return d.path();
    }

    public boolean holds(String controller) {
        return find(d -> d.controllers().contains(controller)) != null;
    }

    /** The cgroup.procs file of every directory. */
    public List<String> procsFiles() {
        List<String> out = new ArrayList<>();
        for (Dir d : dirs) {
            out.add(d.path().resolve("cgroup.procs").toString());
        }
        return out;
    }

    /** Moves {@code pid} (its whole thread group) into every directory. */
    public void add(long pid) throws IOException {
        for (Dir d : dirs) {
            try {
                write(d.path().resolve("cgroup.procs"), Long.toString(pid));
            } catch (IOException e) {
                throw new IOException("move " + pid + " into " + d.path() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The pids in the cgroup (all directories). */
    public Set<Long> pids() {
        Set<Long> out = new LinkedHashSet<>();
        for (Dir d : dirs) {
            try {
                for (String l : Files.readAllLines(d.path().resolve("cgroup.procs"))) {
                    if (!l.isBlank()) {
                        out.add(Long.parseLong(l.trim()));
                    }
                }
            } catch (IOException e) {
                // gone already
            }
        }
        return out;
    }

    /** Freezes every process (v1 freezer when there is one, else v2's cgroup.freeze) and waits until it is frozen. */
    public void freeze() throws IOException {
        setFrozen(true);
    }

    public void thaw() throws IOException {
        setFrozen(false);
    }

    private void setFrozen(boolean on) throws IOException {
        Path dir = freezeDir();
        if (dir == null) {
            throw new IOException("this host has no freezer (no v1 freezer controller, no cgroup v2)");
        }
        boolean v1 = holdsV1Freezer();
        write(dir.resolve(v1 ? "freezer.state" : "cgroup.freeze"), v1 ? (on ? "FROZEN" : "THAWED") : (on ? "1" : "0"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (frozen() != on) {
            if (System.nanoTime() > deadline) {
                throw new IOException((on ? "freezing " : "thawing ") + dir + " did not complete within 5 s");
            }
            if (v1 && on) {
                write(dir.resolve("freezer.state"), "FROZEN"); // a v1 freeze that met a busy task is retried by writing again
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static boolean isV1Freezer(Dir d) {
        return !d.v2() && d.controllers().contains("freezer");
    }

    private boolean holdsV1Freezer() {
        return find(Cgroup::isV1Freezer) != null;
    }

    /** The v1 freezer's directory, else the v2 one, else null. */
    private Path freezeDir() {
        Dir d = find(Cgroup::isV1Freezer);
        if (d == null) {
            d = find(Dir::v2);
        }
        return d == null ? null : d.path();
    }

    /** Whether the cgroup is frozen (a v1 FREEZING counts as not yet). */
    public boolean frozen() {
        Path dir = freezeDir();
        if (dir == null) {
            return false;
        }
        try {
            if (holdsV1Freezer()) {
                return Files.readString(dir.resolve("freezer.state")).trim().equals("FROZEN");
            }
            for (String l : Files.readAllLines(dir.resolve("cgroup.events"))) {
                if (l.equals("frozen 1")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL to every process in the cgroup, then thaws it so that frozen ones can die. */
    public void killAll() {
        if (!ownsLeaves()) {
            return; // not only the container's processes are in it
        }
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (frozen()) {
            try {
                thaw();
            } catch (IOException e) {
                // remove() reports what stays
            }
        }
    }

    /**
     * Removes the directories this container made, deepest first. A directory still holding
     * tasks (they are being reaped) is retried for up to {@code waitMillis}; parents shared with
     * other containers (not empty) are left.
     */
    public void remove(long waitMillis) throws IOException {
        IOException first = null;
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        Set<Path> leaves = new LinkedHashSet<>();
        for (Dir d : dirs) {
            leaves.add(d.path());
        }
        for (Path p : made.reversed()) {
            while (true) {
                try {
                    Files.deleteIfExists(p);
                    break;
                } catch (IOException e) {
                    if (!leaves.contains(p)) {
                        break; // a shared parent still in use
                    }
                    if (System.nanoTime() > deadline) {
                        if (first == null) {
                            first = new IOException("cannot remove cgroup " + p + ": " + e.getMessage(), e);
                        } else {
                            first.addSuppressed(e);
                        }
                        break;
                    }
                    sleep(10);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records the directories in {@code stateDir}/cgroup (temp name, then rename). */
    public void save(Path stateDir) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Dir d : dirs) {
            List<String> names = new ArrayList<>();
            for (String c : d.controllers()) {
                names.add(c.isEmpty() ? "+" : c);
            }
            b.append("dir ").append(d.v2() ? "2 " : "1 ").append(names.isEmpty() ? "-" : String.join(",", names)).append(' ')
                    .append(d.path()).append('\n');
        }
        for (Path p : made) {
            b.append("made ").append(p).append('\n');
        }
        Path tmp = stateDir.resolve("." + RECORD + ".tmp");
        Files.writeString(tmp, b.toString());
        Files.move(tmp, stateDir.resolve(RECORD), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The cgroup recorded in {@code stateDir}, or null when there is none. */
    public static Cgroup load(Path stateDir) throws IOException {
        Path f = stateDir.resolve(RECORD);
        if (!Files.exists(f)) {
            return null;
        }
        List<Dir> dirs = new ArrayList<>();
        List<Path> made = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            if (l.startsWith("dir ")) {
                String[] p = l.split(" ", 4);
                Set<String> c = new LinkedHashSet<>();
                for (String s : p[2].split(",")) {
                    if (s.equals("+")) {
                        c.add(ResourceWrites.V2_CORE);
                    } else if (!s.isEmpty() && !s.equals("-")) {
                        c.add(s);
                    }
                }
                dirs.add(new Dir(Path.of(p[3]), c, p[1].equals("2")));
            } else if (l.startsWith("made ")) {
                made.add(Path.of(l.substring(5)));
            }
        }
        return new Cgroup(List.copyOf(dirs), made);
    }

    static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }
}
