package dev.isthmus.properties.lifecycle;

import dev.isthmus.properties.lifecycle.LifecycleModel.Mode;
import dev.isthmus.properties.lifecycle.LifecycleModel.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One try of the lifecycle property: the model and the real world it is compared with (a private
 * {@code --root}, one bundle per container and kind, a static busybox rootfs), plus the checks
 * made after every CLI call and at the end.
 */
final class LifecycleHarness {

    /** The container IDs a chain uses. Two are enough to catch one container's call changing the other. */
    static final List<String> IDS = List.of("c1", "c2");

    /** The process a long-lived container runs; the short one's exit status. */
    static final List<String> LONG = List.of("sleep", "1000");
    static final int SHORT_EXIT = 3;

    final LifecycleModel model;
    final Path dir;
    final Path root;
    private final Path bundles;
    private final Path rootfs;
    private final Path scratch;
    private final String cgroupName;
    /** ns links (pid:[...] or mnt:[...]) of every container this try made: what must be empty at the end. */
    private final Set<String> namespaces = new TreeSet<>();
    /** Exec mode: the processes that ran `isthmus run` and became containers (our children), by container. */
    private final Map<String, Process> execModeProcesses = new LinkedHashMap<>();

    LifecycleHarness(Mode mode) {
        this.model = new LifecycleModel(mode);
        try {
            dir = Files.createTempDirectory("isthmus-props-");
            root = dir.resolve("root");
            bundles = Files.createDirectories(dir.resolve("bundles"));
            scratch = Files.createDirectories(dir.resolve("scratch"));
            rootfs = busyboxRootfs(dir.resolve("rootfs"));
            cgroupName = dir.getFileName().toString();
            for (String id : IDS) {
                bundle(id, "long", LONG);
                bundle(id, "short", List.of("sh", "-c", "exit " + SHORT_EXIT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Mode mode() {
        return model.mode;
    }

    // --- set-up

    private static Path busyboxRootfs(Path rootfs) throws IOException {
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        for (String d : List.of("proc", "dev", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true);
        for (String applet : List.of("sh", "sleep", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        return rootfs;
    }

    private void bundle(String id, String kind, List<String> args) throws IOException {
        Path b = Files.createDirectories(bundles.resolve(id + "-" + kind));
        String namespaces = mode() == Mode.EXEC ? "[{\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]"
                : "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]";
        StringBuilder argv = new StringBuilder("[");
        for (String a : args) {
            argv.append(argv.length() > 1 ? ", " : "").append('"').append(a).append('"');
        }
        argv.append(']');
        Files.writeString(b.resolve("config.json"), """
                {
                  "ociVersion": "1.2.0",
                  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": %s, "env": ["PATH=/bin"], "cwd": "/"},
                  "root": {"path": "%s", "readonly": true},
                  "hostname": "%s",
                  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
                  "linux": {"namespaces": %s, "cgroupsPath": "/%s/%s"}
                }
                """.formatted(argv, rootfs, id, namespaces, cgroupName, id));
    }

    String bundleName(String id, String kind) {
        return id + "-" + kind;
    }

    Path bundlePath(String id, String kind) {
        return bundles.resolve(bundleName(id, kind));
    }

    // --- calling the CLI

    /** The call as a user would type it (what counterexamples print). */
    String describe(List<String> args) {
        List<String> shown = new ArrayList<>();
        for (String a : args) {
            shown.add(a.startsWith("@") ? "bundles/" + a.substring(1) : a.contains(" ") ? "'" + a + "'" : a);
        }
        return "isthmus " + mode().flag() + " " + String.join(" ", shown);
    }

    IsthmusCli.Result call(List<String> args) {
        return IsthmusCli.run(full(args), scratch);
    }

    private List<String> full(List<String> args) {
        List<String> all = new ArrayList<>(List.of(mode().flag(), "--root", root.toString()));
        for (String a : args) {
            all.add(a.startsWith("@") ? bundles.resolve(a.substring(1)).toString() : a); // @name: a bundle
        }
        return all;
    }

    /**
     * Exec mode's run of a long-lived program: the process that runs isthmus becomes the
     * container, so it runs in the background; returns once it is the container's program (or
     * has exited, refused).
     */
    IsthmusCli.Result startExecModeRun(String id, List<String> args) {
        try {
            Path out = scratch.resolve("bg-" + id + "-" + System.nanoTime());
            Process p = IsthmusCli.builder(full(args)).redirectOutput(out.toFile()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    return new IsthmusCli.Result(p.exitValue(), "", Files.readString(out));
                }
                if (comm(p.pid()).equals("sleep")) {
                    execModeProcesses.put(id + "#" + p.pid(), p);
                    return new IsthmusCli.Result(0, "", "");
                }
                Thread.sleep(20);
            }
            p.destroyForcibly();
            throw new AssertionError(describe(args) + ": neither became the container nor exited in 20 s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * {@code args} (create or run -d) started in the background and killed with SIGKILL after
     * {@code delayMillis}, wherever it is, then {@code delete --force id}: the answer is the delete's.
     */
    IsthmusCli.Result killMidCall(String id, List<String> args, int delayMillis) {
        try {
            Path out = scratch.resolve("killed-" + id + "-" + System.nanoTime());
            Process p = IsthmusCli.builder(full(args)).redirectOutput(out.toFile()).redirectErrorStream(true).start();
            Thread.sleep(delayMillis);
            p.destroyForcibly(); // bin/isthmus execs the JVM: this is the runtime itself
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError(describe(args) + " did not end after SIGKILL");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return call(List.of("delete", "--force", id));
    }

    /**
     * After a runtime killed mid-call and {@code delete --force id}: no state of {@code id} (in
     * --root or its bundle), no cgroup directory of it, and no parked init that is not the
     * recorded init of another container of the model (a parked init is the memfd image, argv
     * ["isthmus-init"]; one whose create died ends by itself once its commit pipe closes).
     */
    List<String> leftoversOf(String id) {
        List<String> left = new ArrayList<>();
        if (Files.exists(root.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
            left.add("state " + root.resolve(id));
        }
        for (Path b : List.of(bundlePath(id, "long"), bundlePath(id, "short"))) {
            if (Files.exists(b.resolve(".isthmus"), LinkOption.NOFOLLOW_LINKS)) {
                left.add("bundle state " + b.resolve(".isthmus"));
            }
        }
        for (String c : cgroups()) {
            if (Path.of(c).getFileName().toString().equals(id)) {
                left.add("cgroup " + c);
            }
        }
        Set<Long> recorded = new HashSet<>();
        for (String other : IDS) {
            if (!other.equals(id)) {
                recorded.add((long) recordedPid(other));
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Long> inits;
        while (!(inits = parkedInits(recorded)).isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (!inits.isEmpty()) {
            left.add("parked inits " + inits);
        }
        return left;
    }

    private static Set<Long> parkedInits(Set<Long> except) {
        Set<Long> out = new TreeSet<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || except.contains(Long.parseLong(name))) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("cmdline")).equals("isthmus-init\0") && alive(Long.parseLong(name))) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // --- observing the real world

    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    /** The recorded init pid of {@code id} from its state file, or 0. */
    int recordedPid(String id) {
        try {
            Path state = root.resolve(id).resolve("state.json");
            if (!Files.exists(state)) {
                return 0;
            }
            Matcher m = PID.matcher(Files.readString(state));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Remembers the namespace of {@code id}'s init so that the end of the try can check it is empty. */
    void rememberNamespace(String id) {
        int pid = recordedPid(id);
        if (pid > 0) {
            String link = nsLink(pid);
            if (link != null) {
                namespaces.add(link);
            }
        }
    }

    private String nsType() {
        return mode().pidNamespace() ? "pid" : "mnt";
    }

    private String nsLink(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", nsType())).toString();
        } catch (IOException e) {
            return null;
        }
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Alive and not a zombie (a dead init waits for pid 1 to reap it on this host). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Live processes in the namespaces of this try's containers. */
    Set<Long> containerProcesses() {
        Set<Long> out = new TreeSet<>();
        Set<String> inUse = new HashSet<>();
        if (namespaces.isEmpty()) {
            return out;
        }
        try (var procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                String link = nsLink(pid);
                if (link != null && namespaces.contains(link) && alive(pid)) {
                    out.add(pid);
                    inUse.add(link);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A namespace without a live process is gone for good (nothing here holds it open), and
        // the kernel may give its inode number to another namespace, e.g. another user's container.
        namespaces.retainAll(inUse);
        return out;
    }

    /** What a refused call must leave untouched. */
    record Snapshot(Map<String, String> files, Set<Long> processes, List<String> mounts, Set<String> cgroups) {}

    Snapshot snapshot() {
        Map<String, String> files = new TreeMap<>();
        walk(root, "root", files);
        try (var bs = Files.newDirectoryStream(bundles)) {
            for (Path b : bs) {
                walk(b.resolve(".isthmus"), "bundles/" + b.getFileName() + "/.isthmus", files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(files, containerProcesses(), mounts(), cgroups());
    }

    private static void walk(Path top, String label, Map<String, String> out) {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(top)) {
            for (Path p : s.sorted().toList()) {
                String key = label + "/" + top.relativize(p);
                if (Files.isSymbolicLink(p)) {
                    out.put(key, "-> " + Files.readSymbolicLink(p));
                    if (Files.isDirectory(p)) { // bundle mode: ROOT/ID -> BUNDLE/.isthmus
                        walk(p.toRealPath(), key, out);
                    }
                } else if (Files.isRegularFile(p)) {
                    out.put(key, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                } else if (Files.isDirectory(p)) {
                    out.put(key, "dir");
                } else {
                    out.put(key, "other (fifo)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mount points under this try's directory, as the test JVM's mount namespace sees them. */
    List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(dir.toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The containers' cgroup directories: those below this try's parent directory (the configs'
     * cgroupsPath is /PARENT/ID), in any hierarchy. The parent itself is the try's, like a slice
     * an engine makes for its containers; the runtime leaves it (as runc) and destroy removes it.
     */
    Set<String> cgroups() {
        Set<String> out = new TreeSet<>();
        for (Path parent : cgroupParents()) {
            try (var children = Files.newDirectoryStream(parent, Files::isDirectory)) {
                for (Path c : children) {
                    if (IDS.contains(c.getFileName().toString())) {
                        out.add(c.toString());
                    }
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        return out;
    }

    /** This try's parent directory in each hierarchy that has one. */
    private List<Path> cgroupParents() {
        List<Path> out = new ArrayList<>();
        Path top = Path.of("/sys/fs/cgroup");
        if (Files.isDirectory(top.resolve(cgroupName), LinkOption.NOFOLLOW_LINKS)) {
            out.add(top.resolve(cgroupName));
        }
        try (var hierarchies = Files.newDirectoryStream(top)) {
            for (Path h : hierarchies) {
                if (Files.isDirectory(h.resolve(cgroupName), LinkOption.NOFOLLOW_LINKS)) {
                    out.add(h.resolve(cgroupName));
                }
            }
        } catch (IOException e) {
            // no cgroup fs: nothing to leak
        }
        return out;
    }

    /** `list -f json`: status by ID. */
    Map<String, String> listed() {
        IsthmusCli.Result r = IsthmusCli.run(full(List.of("list", "-f", "json")), scratch);
        if (!r.ok()) {
            throw new AssertionError("list -f json failed: " + r);
        }
        Map<String, String> out = new TreeMap<>();
        Matcher ids = ID.matcher(r.out());
        Matcher statuses = STATUS.matcher(r.out());
        while (ids.find()) {
            if (!statuses.find(ids.end())) {
                throw new AssertionError("list -f json: no status after id " + ids.group(1) + ": " + r.out());
            }
            out.put(ids.group(1), statuses.group(1));
        }
        return out;
    }

    Map<String, String> expectedListing() {
        Map<String, String> out = new TreeMap<>();
        model.containers.forEach((id, s) -> out.put(id, s.json()));
        return out;
    }

    /** Waits (at most 5 s) until {@code id}'s recorded init has ended: signal delivery and exit are asynchronous. */
    void awaitEnd(int pid) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pid > 0 && alive(pid) && System.nanoTime() < deadline) {
            sleep(10);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- end of a try

    /**
     * delete --force of every container (each must succeed), then: no process left in any of
     * the try's container namespaces, no mount under the try's directory, an empty root, no
     * bundle state, no cgroup. Throws AssertionError naming what leaked.
     */
    void deleteAllAndCheckNothingLeaked() {
        for (String id : IDS) {
            IsthmusCli.Result r = call(List.of("delete", "--force", id));
            if (!r.ok()) {
                throw new AssertionError(describe(List.of("delete", "--force", id)) + " at the end failed: " + r);
            }
            model.deleted(id);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Long> left = containerProcesses();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
            left = containerProcesses();
        }
        List<String> leaks = new ArrayList<>();
        if (!left.isEmpty()) {
            leaks.add("processes in the containers' namespaces: " + describeProcesses(left));
        }
        for (var e : execModeProcesses.entrySet()) {
            try {
                if (!e.getValue().waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    leaks.add("exec-mode container " + e.getKey() + " still running");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (!mounts().isEmpty()) {
            leaks.add("mounts: " + mounts());
        }
        try {
            if (Files.isDirectory(root)) {
                try (var s = Files.list(root)) {
                    List<Path> entries = s.toList();
                    if (!entries.isEmpty()) {
                        leaks.add("entries in --root: " + entries);
                    }
                }
            }
            try (var bs = Files.newDirectoryStream(bundles)) {
                for (Path b : bs) {
                    if (Files.exists(b.resolve(".isthmus"), LinkOption.NOFOLLOW_LINKS)) {
                        leaks.add("bundle state " + b.resolve(".isthmus"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!cgroups().isEmpty()) {
            leaks.add("cgroups: " + cgroups());
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("after delete --force of every container, left behind: " + String.join("; ", leaks));
        }
    }

    private static String describeProcesses(Set<Long> pids) {
        List<String> out = new ArrayList<>();
        for (long p : pids) {
            out.add(p + " (" + comm(p) + ")");
        }
        return out.toString();
    }

    /**
     * Whatever happened: SIGKILL to what is left of this try's containers (processes in their
     * namespaces, which only this try made, and our exec-mode children), then remove the directory.
     */
    void destroy() {
        for (Process p : execModeProcesses.values()) {
            p.destroyForcibly();
        }
        for (long pid : containerProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String id : IDS) {
            IsthmusCli.run(full(List.of("delete", "--force", id)), scratch);
        }
        for (Path parent : cgroupParents()) {
            try {
                Files.deleteIfExists(parent); // rmdir: fails, and stays reported, if a container's is left in it
            } catch (IOException e) {
                // not empty: the leak check names what is left
            }
        }
        if (!mounts().isEmpty()) {
            return; // never remove files below a mount; the leak was reported
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    @Override
    public String toString() {
        return "model " + model + ", root " + root;
    }

    Status status(String id) {
        return model.status(id);
    }
}
