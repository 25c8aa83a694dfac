package dev.isthmus.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Host;
import dev.isthmus.plan.Interpreter;
import dev.isthmus.plan.Kernel;
import dev.isthmus.plan.PlanException;
import dev.isthmus.plan.Planner;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.IdMapping;
import dev.isthmus.spec.Linux;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.sys.K;
import dev.isthmus.sys.Syscall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Invariants of every plan the planner makes from a generated valid config, in its three forms
 * (a launch, a parked init for create/start, exec mode): the user namespace exists and is mapped
 * before the first mount; before pivot_root every mount target lies inside the rootfs, whether
 * named by path or reached through fds resolved in the root (openat2 RESOLVE_IN_ROOT, fchdir,
 * move_mount), and every mount attached at any time goes onto such an fd; every fd
 * the plan opens is closed or close-on-exec when an execve (or the parked image's execveat) runs.
 */
class PlanProperties {

    private static final Path BUNDLE = Path.of("/bundles/b");

    /** A host where every path is a directory; the root's filesystem type varies (pivot_root or MS_MOVE). */
    private record FakeHost(boolean ramfs) implements Host {
        public boolean isDirectory(Path p, boolean follow) {
            return true;
        }

        public boolean cgroup2Only() {
            return false;
        }

        public boolean rootIsRamfs() {
            return ramfs;
        }

        public long uid() {
            return 0;
        }

        public long gid() {
            return 0;
        }

        public boolean appArmor() {
            return true; // labels are planned (written to /proc/self/attr), not refused
        }

        public boolean seLinux() {
            return true;
        }
    }

    enum Form { LAUNCH, PARKED, EXEC_MODE }

    /** The plan of {@code config} in {@code form}, or null when the planner refuses it (a PlanException). */
    private static Program plan(Config config, Form form, boolean ramfs, boolean noPivot) {
        Host host = new FakeHost(ramfs);
        Planner.Options options = new Planner.Options(noPivot, 0, form == Form.LAUNCH);
        try {
            Program p = switch (form) {
                case LAUNCH -> Planner.plan(config, BUNDLE, host, options);
                case PARKED -> Planner.planParked(config, BUNDLE, host, options, BUNDLE.resolve("exec.fifo")).program();
                case EXEC_MODE -> Planner.planExecMode(config, BUNDLE, host, options);
            };
            Statistics.label("planned").collect(true);
            plannedMostly();
            return p;
        } catch (PlanException e) {
            Statistics.label("planned").collect(false);
            plannedMostly();
            Statistics.label("refused because").collect(e.getMessage().replaceAll("\\[\\d+\\]", "[i]"));
            return null;
        }
    }

    /** Fails the property when most generated configs are refused: the invariants would then hold of almost nothing. */
    private static void plannedMostly() {
        Statistics.label("planned").coverage(checker -> checker.check(true).percentage(pct -> pct >= 60));
    }

    /**
     * Valid configs (ConfigArbitraries) made plannable: a process, mounts from the kinds the
     * planner knows (proc, tmpfs, bind, cgroup) at generated destinations (".." and "//"
     * included), a mount namespace when there are mounts, names only with a uts namespace, and
     * for a new user namespace mappings of root (or, one time in four, of the caller's own id only,
     * as exec mode needs).
     */
    @Provide
    Arbitrary<Config> configs() {
        Arbitrary<String> destinations = Arbitraries.oneOf(ConfigArbitraries.absPath(),
                Arbitraries.of("/proc", "/dev", "/a/../b", "/../../etc", "//x//y/", "/a/./b/..", "/sys/fs/cgroup"))
                .filter(d -> !belowRoot(d).isEmpty()); // "/" itself is refused (PlannerTest)
        Arbitrary<Mount> mount = net.jqwik.api.Combinators.combine(destinations, Arbitraries.integers().between(0, 4),
                Arbitraries.of("src", "/srv/data", "../outside"), Arbitraries.of(true, false)).as((dest, kind, source, ro) -> switch (kind) {
                    case 0 -> new Mount(dest, "proc", "proc", List.of(), List.of(), List.of());
                    case 1 -> new Mount(dest, "tmpfs", "tmpfs", List.of("nosuid", "mode=755"), List.of(), List.of());
                    case 2 -> new Mount(dest, source, "bind", ro ? List.of("rbind", "ro") : List.of("bind"), List.of(), List.of());
                    case 3 -> new Mount(dest, "cgroup", "cgroup", ro ? List.of("ro") : List.of(), List.of(), List.of());
                    default -> new Mount(dest, source, null, List.of("rbind", "nosuid", "private"), List.of(), List.of());
                });
        return net.jqwik.api.Combinators.combine(ConfigArbitraries.configs().filter(c -> c.process() != null && c.linux() != null),
                mount.list().ofMaxSize(5), Arbitraries.integers().between(0, 3)).as((c, mounts, ownIds) -> {
                    Linux l = c.linux();
                    List<LinuxNamespace> ns = new ArrayList<>(l.namespaces());
                    boolean mountNs = ns.stream().anyMatch(n -> n.type() == NamespaceType.MOUNT);
                    if (!mountNs && !mounts.isEmpty()) {
                        ns.add(new LinuxNamespace(NamespaceType.MOUNT, null));
                    }
                    boolean uts = ns.stream().anyMatch(n -> n.type() == NamespaceType.UTS);
                    boolean newUser = ns.stream().anyMatch(n -> n.type() == NamespaceType.USER && (n.path() == null || n.path().isEmpty()));
                    List<IdMapping> uids = l.uidMappings();
                    List<IdMapping> gids = l.gidMappings();
                    if (newUser) {
                        uids = ownIds == 0 ? List.of(new IdMapping(0, 0, 1)) : List.of(new IdMapping(0, 100000, 65536));
                        gids = uids;
                    }
                    // Only sysctls the planner accepts (namespaced, for a namespace the config makes);
                    // no seccomp (its refusals and plans have their own tests): the plan's shape is the point here.
                    boolean ipc = ns.stream().anyMatch(n -> n.type() == NamespaceType.IPC);
                    Map<String, String> sysctl = ipc && !l.sysctl().isEmpty() ? Map.of("kernel.msgmax", "8192") : Map.of();
                    List<dev.isthmus.spec.LinuxDevice> devices = l.devices().stream().filter(d -> !belowRoot(d.path()).isEmpty()).toList();
                    Linux patched = new Linux(ns, uids, gids, devices, l.cgroupsPath(), l.resources(), sysctl, null,
                            l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths(), l.mountLabel(), l.personality(), l.intelRdt(),
                            l.timeOffsets(), l.netDevices(), l.memoryPolicy());
                    return new Config(c.ociVersion(), plannable(c.process()), c.root(), uts ? c.hostname() : null, uts ? c.domainname() : null,
                            mounts, c.hooks(), c.annotations(), patched);
                });
    }

    /** {@code containerPath} relative to the container's root, normalized ("" for the root itself). */
    private static String belowRoot(String containerPath) {
        return Path.of("/").relativize(Path.of("/").resolve(containerPath).normalize()).toString();
    }

    /** {@code p} with an effective set inside the permitted one, as the planner requires. */
    private static dev.isthmus.spec.Process plannable(dev.isthmus.spec.Process p) {
        dev.isthmus.spec.Capabilities c = p.capabilities();
        if (c == null) {
            return p;
        }
        List<String> effective = c.effective().stream().filter(c.permitted()::contains).toList();
        return new dev.isthmus.spec.Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(), p.cwd(),
                new dev.isthmus.spec.Capabilities(c.bounding(), effective, c.inheritable(), c.permitted(), c.ambient()), p.rlimits(),
                p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel(), p.ioPriority(), p.scheduler(),
                p.execCPUAffinity());
    }

    private static Map<NamespaceType, String> namespaces(Config c) {
        Map<NamespaceType, String> m = new TreeMap<>();
        if (c.linux() != null) {
            for (var ns : c.linux().namespaces()) {
                m.put(ns.type(), ns.path() == null || ns.path().isEmpty() ? null : ns.path());
            }
        }
        return m;
    }

    private static int first(Program p, java.util.function.Predicate<Step> which) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (which.test(p.steps().get(i))) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static long imm(Step s, int i) {
        return ((Arg.Imm) s.args().get(i)).value();
    }

    private static String str(Step s, int i) {
        return ((Arg.Str) s.args().get(i)).value();
    }

    @Property
    void userNamespaceIsSetUpBeforeAnyMount(@ForAll("configs") Config config, @ForAll Form form, @ForAll boolean ramfs) {
        Program p = plan(config, form, ramfs, false);
        if (p == null) {
            return;
        }
        Map<NamespaceType, String> ns = namespaces(config);
        int firstMount = first(p, s -> s.call() == Syscall.MOUNT || s.call() == Syscall.MOUNT_SETATTR);
        if (!ns.containsKey(NamespaceType.USER)) {
            assertEquals(0, p.cloneFlags() & K.CLONE_NEWUSER, "no user namespace asked, none made");
            return;
        }
        String path = ns.get(NamespaceType.USER);
        if (path != null) {
            int join = first(p, s -> s.call() == Syscall.SETNS && imm(s, 1) == K.CLONE_NEWUSER);
            assertTrue(join < firstMount, "setns into the user namespace (step " + join + ") before the first mount (" + firstMount + ")");
        } else if (form == Form.EXEC_MODE) {
            int unshare = first(p, s -> s.call() == Syscall.UNSHARE && (imm(s, 0) & K.CLONE_NEWUSER) != 0);
            int gidMap = first(p, s -> s.call() == Syscall.OPENAT && "/proc/self/gid_map".equals(str(s, 1)));
            assertTrue(unshare < gidMap && gidMap < firstMount,
                    "exec mode: unshare (" + unshare + "), then its own maps (" + gidMap + "), then mounts (" + firstMount + ")");
        } else {
            assertTrue((p.cloneFlags() & K.CLONE_NEWUSER) != 0, "clone3 makes the user namespace");
            assertTrue(p.waitsForParent() && !p.uidMap().isEmpty() && !p.gidMap().isEmpty(), "the parent writes the id maps");
            int wait = first(p, s -> s.call() == Syscall.READ && s.args().getFirst().equals(new Arg.Slot(Program.SYNC_READ)));
            assertTrue(wait < firstMount, "the child waits for its maps (step " + wait + ") before the first mount (" + firstMount + ")");
        }
    }

    /**
     * Where each plan step acts, followed symbolically: which slots hold an fd resolved inside the
     * rootfs (the rootfs itself, opened by its host path, or an openat2 with RESOLVE_IN_ROOT from
     * such an fd), which hold detached mounts (open_tree, fsmount), and whether the cwd is inside
     * the rootfs (fchdir to an in-root fd). A path argument is inside when it is absolute and
     * lexically below the rootfs, or relative to an in-root cwd or dirfd with a single component
     * (mkdirat, mknodat and symlinkat do not follow a final symlink; a longer relative path would
     * follow its intermediate ones).
     */
    private static final class Where {
        final Path rootfs;
        /** slot -> container path of the in-root fd it holds. */
        final Map<Integer, String> inRoot = new java.util.HashMap<>();
        final java.util.Set<Integer> detached = new java.util.HashSet<>();
        /** The cwd as a container path, or null when it is not known to be inside the rootfs. */
        String cwd;

        Where(Path rootfs) {
            this.rootfs = rootfs;
        }

        private Integer slot(Arg a) {
            return a instanceof Arg.Slot s ? s.slot() : null;
        }

        private boolean atCwd(Arg a) {
            return a instanceof Arg.Imm i && i.value() == K.AT_FDCWD;
        }

        private static long resolveOf(Arg how) {
            byte[] b = ((Arg.Bytes) how).value();
            return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(16);
        }

        private static boolean singleName(String name) {
            return !name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..");
        }

        private boolean lexicallyInside(String absolute) {
            return Path.of(absolute).normalize().startsWith(rootfs) && !absolute.contains("/../") && !absolute.endsWith("/..");
        }

        /** Is {@code path} at {@code dirfd} (a mkdirat-style pair) inside the rootfs? */
        private boolean inside(Arg dirfd, String path) {
            if (path.startsWith("/")) {
                return lexicallyInside(path);
            }
            if (atCwd(dirfd)) {
                return cwd != null && (singleName(path) || path.equals("."));
            }
            Integer fd = slot(dirfd);
            return fd != null && inRoot.containsKey(fd) && singleName(path);
        }

        /** Follows {@code s}; returns why it acts outside the rootfs, or null. */
        String step(Step s, boolean beforePivot) {
            List<Arg> a = s.args();
            String problem = switch (s.call()) {
                case MOUNT -> beforePivot && !inside(new Arg.Imm(K.AT_FDCWD), str(s, 1)) ? "mount target " + str(s, 1) : null;
                case MKDIRAT, MKNODAT -> beforePivot && !inside(a.get(0), str(s, 1)) ? "creates " + str(s, 1) : null;
                case SYMLINKAT -> beforePivot && !inside(a.get(1), str(s, 2)) ? "creates " + str(s, 2) : null;
                case MOVE_MOUNT -> !detached.contains(slot(a.get(0))) ? "moves a mount that is not detached"
                        : !inRoot.containsKey(slot(a.get(2))) || !str(s, 3).isEmpty() ? "attaches a mount onto an fd not resolved in the rootfs"
                        : null;
                case MOUNT_SETATTR -> !detached.contains(slot(a.get(0))) && !inRoot.containsKey(slot(a.get(0))) || !str(s, 1).isEmpty()
                        ? "changes a mount neither detached nor resolved in the rootfs" : null;
                default -> null;
            };
            switch (s.call()) {
                case FCHDIR -> cwd = inRoot.get(slot(a.getFirst()));
                case CHDIR -> cwd = null; // after pivot_root or chroot: the container's own paths, out of this check
                case CLOSE -> {
                    inRoot.remove(slot(a.getFirst()));
                    detached.remove(slot(a.getFirst()));
                }
                default -> { }
            }
            if ((s.flags() & Step.STORE) != 0) {
                int slot = s.storeSlot();
                inRoot.remove(slot);
                detached.remove(slot);
                switch (s.call()) {
                    case OPENAT -> {
                        if (atCwd(a.get(0)) && Path.of(str(s, 1)).normalize().equals(rootfs)) {
                            inRoot.put(slot, "/");
                        }
                    }
                    case OPENAT2 -> {
                        Integer dir = slot(a.get(0));
                        if (dir != null && inRoot.containsKey(dir) && (resolveOf(a.get(2)) & K.RESOLVE_IN_ROOT) != 0) {
                            inRoot.put(slot, Path.of(inRoot.get(dir)).resolve(str(s, 1)).normalize().toString());
                        }
                    }
                    case OPEN_TREE, FSMOUNT -> detached.add(slot);
                    default -> { }
                }
            }
            return problem;
        }
    }

    @Property
    void everyMountTargetBeforePivotIsInsideTheRootfs(@ForAll("configs") Config config, @ForAll Form form, @ForAll boolean ramfs,
            @ForAll boolean noPivot) {
        Program p = plan(config, form, ramfs, noPivot);
        if (p == null || config.root() == null) {
            return;
        }
        Path rootfs = BUNDLE.resolve(config.root().path()).normalize();
        int pivot = first(p, s -> s.call() == Syscall.PIVOT_ROOT || s.call() == Syscall.CHROOT);
        long propagation = K.MS_SHARED | K.MS_SLAVE | K.MS_PRIVATE | K.MS_UNBINDABLE | K.MS_REC;
        Where where = new Where(rootfs);
        for (int i = 0; i < p.steps().size(); i++) {
            Step s = p.steps().get(i);
            boolean beforePivot = i < pivot;
            if (beforePivot && s.call() == Syscall.MOUNT && "/".equals(str(s, 1))) {
                boolean hostPropagationOnly = str(s, 0) == null && (imm(s, 3) & ~propagation) == 0;
                boolean moveRootfs = imm(s, 3) == K.MS_MOVE
                        && (rootfs.toString().equals(str(s, 0)) || ".".equals(str(s, 0)) && "/".equals(where.cwd));
                if (hostPropagationOnly || moveRootfs) {
                    continue; // making the host's / a slave, and (MS_MOVE + chroot) moving the rootfs (the cwd) itself
                }
            }
            String problem = where.step(s, beforePivot);
            int at = i;
            assertTrue(problem == null, () -> "step " + at + " " + s.render() + ": " + problem + ", outside the rootfs " + rootfs
                    + "\n" + String.join("\n", p.listing("")));
        }
    }

    /**
     * A kernel that keeps an fd table: which fds are open, and which of those the plan opened and
     * whether they are close-on-exec. Every call succeeds; at each exec it checks that no fd the
     * plan opened would survive.
     */
    static final class FdKernel implements Kernel {
        /** fd -> close-on-exec, for fds the plan opened. */
        final Map<Long, Boolean> opened = new TreeMap<>();
        final List<String> violations = new ArrayList<>();
        private long next = 20; // below: stdio and the launcher's fds (slots), which the plan did not open
        int execs;

        public long call(Syscall call, List<Object> args) {
            switch (call) {
                case OPENAT -> {
                    long fd = next++;
                    opened.put(fd, (((Long) args.get(2)) & K.O_CLOEXEC) != 0);
                    return fd;
                }
                case CLOSE -> {
                    opened.remove((Long) args.getFirst());
                    return 0;
                }
                case DUP3 -> {
                    long newFd = (Long) args.get(1);
                    if (newFd > 2) {
                        opened.put(newFd, (((Long) args.get(2)) & K.O_CLOEXEC) != 0);
                    }
                    return newFd;
                }
                case FCNTL -> {
                    long fd = (Long) args.getFirst();
                    if ((Long) args.get(1) == K.F_SETFD && opened.containsKey(fd)) {
                        opened.put(fd, ((Long) args.get(2) & 1) != 0);
                    }
                    return 0;
                }
                case CLOSE_RANGE -> {
                    long lo = (Long) args.get(0);
                    long hi = (Long) args.get(1);
                    boolean cloexec = ((Long) args.get(2) & K.CLOSE_RANGE_CLOEXEC) != 0;
                    for (long fd : List.copyOf(opened.keySet())) {
                        if (fd >= lo && fd <= hi) {
                            if (cloexec) {
                                opened.put(fd, true);
                            } else {
                                opened.remove(fd);
                            }
                        }
                    }
                    return 0;
                }
                case EXECVE, EXECVEAT -> {
                    execs++;
                    opened.forEach((fd, cloexec) -> {
                        if (!cloexec) {
                            violations.add("fd " + fd + " open without close-on-exec at " + call.kernelName() + " #" + execs);
                        }
                    });
                    return 0;
                }
                case READ -> {
                    return 1; // a sync byte, a FIFO byte
                }
                case WRITE -> {
                    return args.get(1) instanceof byte[] b ? b.length : 0;
                }
                default -> {
                    return 0;
                }
            }
        }
    }

    @Property
    void everyFdThePlanOpensIsClosedOrCloseOnExecAtExec(@ForAll("configs") Config config, @ForAll Form form, @ForAll boolean ramfs) {
        Program p = plan(config, form, ramfs, false);
        if (p == null) {
            return;
        }
        long[] slots = new long[Step.SLOTS];
        for (int i = 0; i < Program.FIRST_FREE_SLOT; i++) {
            slots[i] = 10 + i; // the launcher's fds
        }
        FdKernel kernel = new FdKernel();
        Interpreter.Outcome outcome = Interpreter.run(p, slots, kernel);
        assertTrue(outcome instanceof Interpreter.Outcome.Exec, "with every call succeeding the plan ends in execve: " + outcome);
        assertTrue(kernel.violations.isEmpty(), String.join("\n", kernel.violations) + "\n" + String.join("\n", p.listing("")));
    }
}
