package dev.isthmus.container;

import dev.isthmus.proc.NamespaceScan;
import dev.isthmus.proc.ProcessIdentity;
import dev.isthmus.spec.ConfigReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;

/**
 * Container state under the root directory (spec mode): {@code ROOT/ID/state.json}, written to a
 * temporary name and renamed, holding the init's pid together with its start time, and
 * {@code ROOT/ID/exec.fifo} while the container is created but not started.
 */
public final class StateStore {

    /**
     * What is recorded of a container. {@code pid} 0 is an exec-mode container that is created
     * but has no process yet. {@code namespace} is the link text of the namespace that tells the
     * container's processes apart ({@link NamespaceScan#identity}): "pid:[...]" when it has its
     * own pid namespace, "mnt:[...]" when only its mount namespace is its own, "" when it has
     * neither or it is not known yet (an exec-mode container before it unshares).
     */
    public record Record(String id, int pid, long startTime, String bundle, String rootfs, Instant created, String owner,
            Map<String, String> annotations, String namespace) {
        public ProcessIdentity init() {
            return new ProcessIdentity(pid, startTime);
        }

        /** The record of a container just made from {@code config} in {@code bundle}, its init {@code init}. */
        public static Record of(String id, ProcessIdentity init, Path bundle, dev.isthmus.spec.Config config) {
            Path abs = bundle.toAbsolutePath().normalize();
            return new Record(id, init == null ? 0 : init.pid(), init == null ? 0 : init.startTime(), abs.toString(),
                    abs.resolve(config.root().path()).normalize().toString(), Instant.now(), System.getProperty("user.name"),
                    config.annotations(), init == null ? "" : namespaceOf(init.pid()));
        }

        /** This record with its namespace learnt now from its live init, or this record when there is nothing new. */
        public Record withNamespaceLearnt() {
            if (!namespace.isEmpty() || pid == 0 || !init().alive()) {
                return this;
            }
            String ns = namespaceOf(pid);
            return ns.isEmpty() ? this : new Record(id, pid, startTime, bundle, rootfs, created, owner, annotations, ns);
        }

        private static String namespaceOf(int pid) {
            try {
                return NamespaceScan.identity(pid);
            } catch (IOException e) {
                return ""; // it ended already
            }
        }
    }

    private final Path root;
    private final boolean bundleMode;

    public StateStore(Path root) {
        this(root, false);
    }

    /**
     * @param bundleMode --state-mode=bundle: a container's state lives in its bundle, in
     *                   {@code BUNDLE/.isthmus}, and {@code ROOT/ID} is a symlink to it, made
     *                   atomically (EEXIST keeps IDs unique); a bundle that cannot be written
     *                   falls back to a directory under the root, as in spec mode
     */
    public StateStore(Path root, boolean bundleMode) {
        this.root = root;
        this.bundleMode = bundleMode;
    }

    /**
     * The default root: /run/isthmus, or when rootless (also as root in a user namespace that
     * maps less than every id: rootless podman's) $XDG_RUNTIME_DIR/isthmus, an
     * IllegalArgumentException naming the variable when it is unset.
     */
    public static Path defaultRoot() {
        return dev.isthmus.sys.Rootless.active() ? dev.isthmus.sys.Rootless.stateRoot(System.getenv("XDG_RUNTIME_DIR"))
                : Path.of("/run/isthmus");
    }

    public Path dir(String id) {
        ContainerId.check(id);
        return root.resolve(id);
    }

    public Path fifo(String id) {
        return dir(id).resolve("exec.fifo");
    }

    /** Claims {@code id}: creates its directory, failing when it exists. */
    public Path claim(String id) throws IOException {
        return claim(id, null);
    }

    /** Claims {@code id} for the container of {@code bundle} (where bundle mode keeps its state). */
    public Path claim(String id, Path bundle) throws IOException {
        try {
            return claimIn(id, bundle);
        } catch (java.nio.file.AccessDeniedException e) {
            // A sentence, not a bare path: the usual cause is a plain user on root's default root.
            throw new IllegalArgumentException("cannot keep the state of container " + id + " under " + root + ": "
                    + dev.isthmus.sys.Errno.describe(e) + " (uid " + dev.isthmus.sys.Rootless.euid()
                    + "; --root names where state is kept, rootless it defaults to $XDG_RUNTIME_DIR/isthmus)");
        }
    }

    private Path claimIn(String id, Path bundle) throws IOException {
        Files.createDirectories(root);
        Path dir = dir(id);
        if (bundleMode && bundle != null) {
            Path inBundle = bundle.toAbsolutePath().normalize().resolve(".isthmus");
            boolean made;
            try {
                Files.createDirectory(inBundle);
                made = true;
            } catch (FileAlreadyExistsException e) {
                throw new IllegalArgumentException("bundle " + bundle + " already holds a container's state (.isthmus exists)");
            } catch (java.nio.file.FileSystemException e) {
                made = false; // a read-only bundle: the state stays under the root
            }
            if (made) {
                try {
                    Files.createSymbolicLink(dir, inBundle);
                    return dir;
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(inBundle);
                    throw new IllegalArgumentException("container " + id + " already exists");
                }
            }
        }
        try {
            return Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("container " + id + " already exists");
        }
    }

    public void save(Record r) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = ConfigReader.factory().createGenerator(ObjectWriteContext.empty(), buf)) {
            g.writeStartObject();
            g.writeStringProperty("id", r.id());
            g.writeNumberProperty("pid", r.pid());
            g.writeNumberProperty("startTime", r.startTime());
            g.writeStringProperty("bundle", r.bundle());
            g.writeStringProperty("rootfs", r.rootfs());
            g.writeStringProperty("created", r.created().toString());
            g.writeStringProperty("owner", r.owner());
            g.writeName("annotations");
            g.writeStartObject();
            for (Map.Entry<String, String> e : r.annotations().entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeStringProperty("namespace", r.namespace());
            g.writeEndObject();
        }
        Path dir = dir(r.id());
        Path tmp = dir.resolve(".state.json.tmp");
        Files.write(tmp, buf.toByteArray());
        try {
            Files.move(tmp, dir.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename state.json atomically in " + dir, e);
        }
    }

    /** The record of {@code id}; IllegalArgumentException when there is no such container. */
    public Record load(String id) throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(dir(id).resolve("state.json"));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("container " + id + " does not exist");
        }
        Map<String, String> s = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        try (JsonParser p = ConfigReader.factory().createParser(ObjectReadContext.empty(), json)) {
            p.nextToken();
            String name;
            while ((name = p.nextName()) != null) {
                if (p.nextToken() == JsonToken.START_OBJECT) {
                    String k;
                    while ((k = p.nextName()) != null) {
                        p.nextToken();
                        annotations.put(k, p.getString());
                    }
                } else {
                    s.put(name, p.getString());
                }
            }
        }
        return new Record(s.get("id"), Integer.parseInt(s.get("pid")), Long.parseLong(s.get("startTime")), s.get("bundle"),
                s.get("rootfs"), Instant.parse(s.get("created")), s.get("owner"), annotations, s.getOrDefault("namespace", ""));
    }

    /** {@link #status(Record, boolean)} without unknown. */
    public String status(Record r) {
        return status(r, false);
    }

    /**
     * created (init alive, exec FIFO still there; or an exec-mode container not started yet),
     * running (alive, FIFO gone), paused (its cgroup frozen) or stopped. A container without its own pid namespace lives on
     * while any process of its mount namespace does (a daemon its init forked), so once its init
     * has ended it is stopped only when its cgroup holds none, or, without a recorded cgroup, when
     * a scan of /proc finds none; when the scan finds none but
     * could not read every entry, that is undecided: unknown if {@code allowUnknown}, else stopped
     * (what runc, which looks at the init alone, would say).
     */
    public String status(Record r, boolean allowUnknown) {
        if (r.pid() == 0) {
            return "created";
        }
        if (r.init().alive()) {
            if (Files.exists(fifo(r.id()))) {
                return "created";
            }
            return dev.isthmus.cgroup.ContainerCgroup.frozen(dir(r.id())) ? "paused" : "running";
        }
        if (r.namespace().startsWith("mnt:")) {
            // Its cgroup decides when it has one: a dead namespace's inode number is soon reused
            // (the kernel hands out the lowest free one), so a scan for it after the init has
            // ended can find another container's processes.
            dev.isthmus.cgroup.Cgroup cg = dev.isthmus.cgroup.ContainerCgroup.recorded(dir(r.id()));
            if (cg != null) {
                if (cg.pids().isEmpty()) {
                    return "stopped";
                }
                return cg.frozen() ? "paused" : "running";
            }
            NamespaceScan.Result left = NamespaceScan.scan(Path.of("/proc"), r.namespace());
            if (!left.pids().isEmpty()) {
                return dev.isthmus.cgroup.ContainerCgroup.frozen(dir(r.id())) ? "paused" : "running";
            }
            if (left.unreadable() > 0 && allowUnknown) {
                return "unknown";
            }
        }
        return "stopped";
    }

    /** Removes the container's directory and everything in it (in bundle mode, the link and its target). */
    public void remove(String id) throws IOException {
        Path dir = dir(id);
        Path target = Files.isSymbolicLink(dir) ? Files.readSymbolicLink(dir) : dir;
        if (Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.walk(target)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.deleteIfExists(dir);
    }

    public Path root() {
        return root;
    }
}
