package dev.isthmus.plan;

import static dev.isthmus.plan.Arg.imm;
import static dev.isthmus.plan.Arg.str;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.IdMapping;
import dev.isthmus.spec.LinuxDevice;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.spec.Rlimit;
import dev.isthmus.sys.Errno;
import dev.isthmus.sys.K;
import dev.isthmus.sys.MountOption;
import dev.isthmus.sys.Rlimits;
import dev.isthmus.sys.Syscall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a validated config into a {@link Program}: the namespaces go into clone3's flags, and
 * everything the child does between clone and execve becomes a step, in the order runc's and
 * crun's init use (join namespaces, wait for the id maps, mounts, devices, pivot_root, masked
 * paths, hostname, credentials, fds, signals, exec). Pure: the host is consulted only through
 * {@link Host}, so the same config always gives the same program.
 */
public final class Planner {

    /**
     * Options from the command line (and the lifecycle) that change the plan.
     *
     * @param preserveFds    how many fds after stderr (3, 4, ...) the process keeps (runc's --preserve-fds)
     * @param dieWithRuntime the init gets PR_SET_PDEATHSIG(SIGKILL): a foreground run's container
     *                       does not outlive a runtime that was killed (Slurm cancels so)
     * @param cgroupView     on a v1 or hybrid host, the container's own cgroup directories by the
     *                       name of their hierarchy's mount ("memory" -> /sys/fs/cgroup/memory/ID):
     *                       a "cgroup" mount shows these, as runc does, not the host's whole
     *                       hierarchies (empty: the lifecycle gave none, the host's are bound)
     */
    public record Options(boolean noPivot, int preserveFds, boolean dieWithRuntime, Map<String, String> cgroupView) {
        public static final Options DEFAULT = new Options(false, 0, false);

        /** The largest --preserve-fds taken. */
        public static final int MAX_PRESERVE_FDS = 1 << 20;

        public Options(boolean noPivot) {
            this(noPivot, 0, false);
        }

        public Options(boolean noPivot, int preserveFds) {
            this(noPivot, preserveFds, false);
        }

        public Options(boolean noPivot, int preserveFds, boolean dieWithRuntime) {
            this(noPivot, preserveFds, dieWithRuntime, Map.of());
        }

        public Options {
            if (preserveFds < 0 || preserveFds > MAX_PRESERVE_FDS) {
                throw new IllegalArgumentException("--preserve-fds: must be between 0 and " + MAX_PRESERVE_FDS);
            }
            cgroupView = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(cgroupView));
        }

        /** These options with the container's own cgroup directories for a "cgroup" mount. */
        public Options withCgroupView(Map<String, String> view) {
            return new Options(noPivot, preserveFds, dieWithRuntime, view);
        }
    }

    /** Devices every container gets (runtime-spec config-linux.md, "Default Devices"). */
    private record DefaultDevice(String path, long major, long minor) {}

    private static final List<DefaultDevice> DEFAULT_DEVICES = List.of(
            new DefaultDevice("/dev/null", 1, 3),
            new DefaultDevice("/dev/zero", 1, 5),
            new DefaultDevice("/dev/full", 1, 7),
            new DefaultDevice("/dev/random", 1, 8),
            new DefaultDevice("/dev/urandom", 1, 9),
            new DefaultDevice("/dev/tty", 5, 0));

    /** Symlinks every container gets in /dev (runtime-spec config-linux.md, "Default Devices"; runc). */
    private static final List<String[]> DEV_SYMLINKS = List.of(
            new String[] {"/proc/self/fd", "/dev/fd"},
            new String[] {"/proc/self/fd/0", "/dev/stdin"},
            new String[] {"/proc/self/fd/1", "/dev/stdout"},
            new String[] {"/proc/self/fd/2", "/dev/stderr"},
            new String[] {"pts/ptmx", "/dev/ptmx"});

    /** execvp(3)'s search path when the environment has no PATH (as runc and glibc use for a container). */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final int FD_SLOT = Program.FIRST_FREE_SLOT;
    private static final int SCRATCH_SLOT = Program.FIRST_FREE_SLOT + 1;
    /**
     * The runtime's own /proc, opened (O_PATH) by the image before it joins the container's mount
     * namespace, for the sysctl and LSM label writes; closed right after the last of them, so the
     * process never holds it near the user program's exec.
     */
    static final int PROC_SLOT = Program.FIRST_FREE_SLOT + 3;
    /** The executable of the process, opened without magic links and exec'd by fd. */
    private static final int EXE_SLOT = InRoot.TARGET;
    /** The container's root while the executable is looked up (InRoot's ROOT is closed by then). */
    private static final int EXE_ROOT_SLOT = InRoot.ROOT;
    /** The directory of the executable being tried: execveat looks its last name up there. */
    private static final int EXE_DIR_SLOT = InRoot.DIR;

    private final Config config;
    private final Path bundle;
    private final Host host;
    private final Options options;
    private final List<Step> steps = new ArrayList<>();
    /** For a parked init (create/start): the exec FIFO's path, else null. */
    private String parkFifo;
    /** The first step the init image runs (hopIntoImage), -1 before the hop is planned. */
    private int imageStart = -1;
    /** Exec mode: the program runs in the runtime's own process (no clone), so it unshares. */
    private boolean execMode;
    /** Whether slot PROC_SLOT holds the runtime's /proc at this point of the plan. */
    private boolean procOpen;
    /** Exec: the image still needs the init's pidfd (slot TARGET) for a late setns. */
    private boolean keepTarget;
    /** The mount part's steps on paths inside the rootfs (resolved by openat2 in the root). */
    private final InRoot inRoot = new InRoot(steps);
    private final Path rootfs;
    private final boolean newUserNs;
    /** For a batch's template mount namespace (TemplateSplit): which part this plan is, or null. */
    private Role role;
    private TemplateSplit split;

    /** The two plans of a template mount namespace. */
    private enum Role {
        /** Makes the template namespace and parks in it (never execs anything). */
        HOLDER,
        /** Joins and copies the template namespace, then makes its own mounts. */
        TASK
    }

    private Planner(Config config, Path bundle, Host host, Options options) {
        this.config = config;
        this.bundle = bundle.toAbsolutePath().normalize();
        this.host = host;
        this.options = options;
        this.rootfs = this.bundle.resolve(config.root().path()).normalize();
        this.newUserNs = namespaces().containsKey(NamespaceType.USER) && namespaces().get(NamespaceType.USER) == null;
    }

    /** Plans {@code config} of the bundle at {@code bundle}. */
    public static Program plan(Config config, Path bundle, Host host, Options options) throws PlanException {
        return new Planner(config, bundle, host, options).build();
    }

    /**
     * A program whose child parks until `start`: one table, run from step 0 by the JVM's child up
     * to an execveat of the memfd image in slot IMAGE (after the id maps, so the image keeps its
     * capabilities), and from {@code imageStart} by that image, which sets everything up, reports
     * READY on the error pipe (slot ERR), then blocks reading the exec FIFO until `start` writes
     * a byte, and execs the user program.
     */
    public record Parked(Program program, int imageStart, boolean consoleInContainer) {}

    /** The byte record a parked init writes to its error pipe when it is set up: step -1, errno 0. */
    public static final byte[] READY = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

    /**
     * A process to run in an existing container (exec): the child joins the namespaces in
     * {@code joinFlags} of the init whose pidfd is in slot TARGET with one setns(2) call (the pid
     * namespace is the launcher's business: setns(CLONE_NEWPID) only moves children), then runs
     * {@code process} like a container's own. The caller's fds 3 to 2 + {@code preserveFds} stay
     * open into the process (runc's exec --preserve-fds); every other fd above stderr is closed
     * on the image's exec.
     */
    public static Program planExec(Config container, Path bundle, dev.isthmus.spec.Process process, long joinFlags,
            int preserveFds) throws PlanException {
        return planExec(container, bundle, process, joinFlags, Host.LIVE, false, preserveFds);
    }

    /**
     * {@link #planExec(Config, Path, dev.isthmus.spec.Process, long, int)} for a runtime that may not
     * move into the container's pid namespace itself (a plain user: setns(CLONE_NEWPID) needs
     * CAP_SYS_ADMIN in the caller's own user namespace): the JVM's child joins the pid namespace
     * together with the user namespace through the pidfd (which the kernel allows the owner),
     * and once it is the image it forks, with CLONE_PARENT, the process that runs the rest, born
     * in that pid namespace (runc's nsexec does the same). Both write the fork's result and
     * {@link Program#FORK_MARK} to the error pipe, so the runtime learns the new process's pid;
     * then the intermediate ends on purpose with {@link #forkEndStep}: setpgid(pid, pid) fails
     * (ESRCH: not its child) where the new process's setpgid(0, 0) only makes it a process group
     * leader.
     */
    public static Program planForkingExec(Config container, Path bundle, dev.isthmus.spec.Process process, long joinFlags,
            int preserveFds) throws PlanException {
        return planExec(container, bundle, process, joinFlags | K.CLONE_NEWPID, Host.LIVE, true, preserveFds);
    }

    /** The step at which the intermediate of a forking exec ends (with ESRCH), or -1. */
    public static int forkEndStep(Program p) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (p.steps().get(i).call() == Syscall.SETPGID) {
                return i;
            }
        }
        return -1;
    }

    static Program planExec(Config container, Path bundle, dev.isthmus.spec.Process process, long joinFlags, Host host)
            throws PlanException {
        return planExec(container, bundle, process, joinFlags, host, false);
    }

    static Program planExec(Config container, Path bundle, dev.isthmus.spec.Process process, long joinFlags, Host host,
            boolean fork) throws PlanException {
        return planExec(container, bundle, process, joinFlags, host, fork, 0);
    }

    static Program planExec(Config container, Path bundle, dev.isthmus.spec.Process process, long joinFlags, Host host,
            boolean fork, int preserveFds) throws PlanException {
        Config patched = new Config(container.ociVersion(), process, container.root(), container.hostname(), container.domainname(),
                container.mounts(), container.hooks(), container.annotations(), container.linux());
        Planner p = new Planner(patched, bundle, host, new Options(false, preserveFds));
        // LSM labels are written through the host's /proc, which the image opens before it joins
        // the container's mount namespace (whose /proc the container may have planted over):
        // then only that join waits for the image. Else everything is joined in the JVM's child
        // (non-dumpable, as the JVM is): the image starts inside the container's namespaces,
        // with its root and cwd, and never holds the host's.
        long lateJoin = SecuritySteps.hasLabels(patched) ? joinFlags & K.CLONE_NEWNS : 0;
        long earlyJoin = joinFlags & ~lateJoin;
        // through the host's /proc, before any join, as the init's first step
        SecuritySteps.oomScoreAdj(p.steps, process.oomScoreAdj(), FD_SLOT);
        if (earlyJoin != 0) {
            p.steps.add(Step.of(Syscall.SETNS, "join the container's namespaces", new Arg.Slot(Program.TARGET),
                    imm(earlyJoin, cloneFlagNames(earlyJoin))));
        }
        p.keepTarget = lateJoin != 0;
        p.hopIntoImage();
        p.steps.add(SecuritySteps.nonDumpable());
        if (fork) {
            p.steps.add(Step.storing(Program.IMAGE, Syscall.CLONE, "fork into the container's pid namespace",
                    imm(K.CLONE_PARENT | K.SIGCHLD, "CLONE_PARENT|SIGCHLD"), imm(0), imm(0), imm(0), imm(0)));
            p.steps.add(Step.of(Syscall.WRITE, "report the forked pid", new Arg.Slot(Program.ERR), new Arg.SlotAddr(Program.IMAGE),
                    imm(16)));
            p.steps.add(Step.of(Syscall.SETPGID, "end the intermediate (ESRCH there; the forked process leads its own group)",
                    new Arg.Slot(Program.IMAGE), new Arg.Slot(Program.IMAGE)));
        }
        if (SecuritySteps.hasLabels(patched)) {
            p.openProc();
        }
        if (lateJoin != 0) {
            p.steps.add(Step.of(Syscall.SETNS, "join the container's mount namespace", new Arg.Slot(Program.TARGET),
                    imm(lateJoin, cloneFlagNames(lateJoin))));
        }
        if (process.terminal()) {
            p.consoleSteps();
        }
        p.steps.add(Step.unchecked(Syscall.UMASK, "umask", imm(0, "0")));
        int processStart = p.steps.size();
        p.processSteps();
        return new Program(0, p.steps, "", "", false, false, processStart, "", p.imageStart);
    }

    /**
     * A hook (config.md "POSIX-platform Hooks"): stdin is the pipe in slot STDIN (the state
     * JSON), the process joins {@code joinFlags} of the init in slot TARGET first when not 0, and
     * execs {@code hook.path} with {@code hook.args} as argv (argv[0] included) and {@code hook.env}.
     */
    public static Program planHook(dev.isthmus.spec.Hook hook, long joinFlags) {
        List<Step> steps = new ArrayList<>();
        if (joinFlags != 0) {
            steps.add(Step.of(Syscall.SETNS, "join the container's namespaces", new Arg.Slot(Program.TARGET),
                    imm(joinFlags, cloneFlagNames(joinFlags))));
        }
        steps.add(Step.of(Syscall.DUP3, "make the state pipe stdin", new Arg.Slot(Program.STDIN), imm(0), imm(0)));
        steps.add(Step.of(Syscall.CLOSE_RANGE, "mark fds close-on-exec", imm(3), imm(0xffffffffL, "~0U"),
                imm(K.CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC")));
        steps.add(Step.of(Syscall.RT_SIGPROCMASK, "unblock signals", imm(K.SIG_SETMASK, "SIG_SETMASK"),
                new Arg.Bytes(new byte[8], "[]"), imm(0, "NULL"), imm(8)));
        List<String> argv = hook.args().isEmpty() ? List.of(hook.path()) : hook.args();
        steps.add(Step.of(Syscall.EXECVE, "exec hook " + hook.path(), str(hook.path()), new Arg.StrArray(argv, false),
                new Arg.StrArray(hook.env(), true)));
        return new Program(0, steps, "", "", false, false);
    }

    /**
     * Exec mode (--state-mode=exec, as ch-run): the program runs in the process that ran isthmus,
     * after that process exec'd the program's ELF image, so no runtime process is left. The new
     * namespaces are unshared in place, the user namespace's maps written by the process itself
     * (through /proc/self files opened before unshare, while it still holds CAP_SETUID in the
     * parent namespace), and no pid namespace is made: that takes a fork, so the program is not
     * pid 1, and proc mounts become recursive binds of the host's /proc (a fresh proc mount is
     * refused outside a pid namespace one owns).
     */
    public static Program planExecMode(Config config, Path bundle, Host host, Options options) throws PlanException {
        Planner p = new Planner(config, bundle, host, options);
        p.execMode = true;
        return p.build();
    }

    public static Parked planParked(Config config, Path bundle, Host host, Options options, Path execFifo) throws PlanException {
        Planner p = new Planner(config, bundle, host, options);
        p.parkFifo = execFifo.toAbsolutePath().toString();
        Program program = p.build();
        return new Parked(program, p.imageStart, p.consoleInContainer());
    }

    /**
     * A batch template planned as a template mount namespace and its tasks (TemplateSplit):
     * {@code holder} parks (on {@code execFifo}, never started) in a new mount namespace holding
     * the shared part, {@code task} joins that namespace through the fd in slot
     * {@link Program#TARGET}, copies it and makes its own mounts. Null when the config does not
     * split (then every task plans as {@link #plan} does).
     */
    public record Template(Parked holder, Program task) {}

    /** Whether {@link #planTemplate} splits {@code config} (it needs an exec FIFO only then). */
    public static boolean splitsIntoTemplate(Config config, Host host, Options options) {
        return TemplateSplit.of(config, host, options) != null;
    }

    public static Template planTemplate(Config config, Path bundle, Host host, Options options, Path execFifo) throws PlanException {
        TemplateSplit split = TemplateSplit.of(config, host, options);
        if (split == null) {
            return null;
        }
        Planner h = new Planner(config, bundle, host, options);
        h.role = Role.HOLDER;
        h.split = split;
        h.parkFifo = execFifo.toAbsolutePath().toString();
        Program holder = h.build();
        Planner t = new Planner(config, bundle, host, options);
        t.role = Role.TASK;
        t.split = split;
        t.keepTarget = true;
        return new Template(new Parked(holder, h.imageStart, false), t.build());
    }

    private Map<NamespaceType, String> namespaces() {
        Map<NamespaceType, String> m = new EnumMap<>(NamespaceType.class);
        if (config.linux() != null) {
            for (LinuxNamespace ns : config.linux().namespaces()) {
                m.put(ns.type(), ns.path() == null || ns.path().isEmpty() ? null : ns.path());
            }
        }
        return m;
    }

    private Program build() throws PlanException {
        if (config.process() == null) {
            throw new PlanException("process", "required to run a container");
        }
        Map<NamespaceType, String> ns = namespaces();
        long cloneFlags = 0;
        boolean joinedUser = ns.containsKey(NamespaceType.USER) && ns.get(NamespaceType.USER) != null;
        long unshareFlags = 0;
        for (Map.Entry<NamespaceType, String> e : ns.entrySet()) {
            if (e.getValue() == null) {
                if (execMode) {
                    if (e.getKey() != NamespaceType.PID) {
                        unshareFlags |= cloneFlag(e.getKey());
                    }
                } else if (joinedUser) {
                    if (e.getKey() == NamespaceType.PID) {
                        throw new PlanException("linux.namespaces", "a new pid namespace inside a joined user namespace is not supported");
                    }
                    unshareFlags |= cloneFlag(e.getKey());
                } else {
                    cloneFlags |= cloneFlag(e.getKey());
                }
            }
        }
        if (role == Role.HOLDER) {
            cloneFlags = K.CLONE_NEWNS; // the mount namespace alone: it writes nothing else of the host's
            unshareFlags = 0;
        } else if (role == Role.TASK) {
            cloneFlags &= ~K.CLONE_NEWNS; // it joins the template's instead
        }
        if (options.dieWithRuntime() && !execMode) {
            steps.add(Step.of(Syscall.PRCTL, "die with the runtime", imm(K.PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"),
                    imm(K.SIGKILL, "SIGKILL"), imm(0), imm(0), imm(0)));
        }
        boolean waits = newUserNs && !execMode;
        // A child made in a new user namespace holds no capability outside it and may not lower
        // its own oom_score_adj: the parent writes it while the child waits for its maps.
        String parentOomScoreAdj = waits ? SecuritySteps.checkedOomScoreAdj(config.process().oomScoreAdj()) : "";
        if (!waits) {
            SecuritySteps.oomScoreAdj(steps, config.process().oomScoreAdj(), FD_SLOT);
        }
        int mapSlot = SCRATCH_SLOT + 1;
        if (waits) {
            steps.add(Step.of(Syscall.CLOSE, "close the parent's end of the sync pipe", new Arg.Slot(Program.SYNC_WRITE)));
            steps.add(new Step(Syscall.READ, List.of(new Arg.Slot(Program.SYNC_READ), new Arg.SlotAddr(SCRATCH_SLOT), imm(1)),
                    Step.CHECK | Step.NONZERO, 0, 0, "wait for the parent to write the id maps"));
            steps.add(Step.of(Syscall.CLOSE, "close the sync pipe", new Arg.Slot(Program.SYNC_READ)));
            if (mapsRoot(config.linux().uidMappings()) && mapsRoot(config.linux().gidMappings())) {
                // Until now the child still has the parent's (unmapped) ids: files it creates in
                // a filesystem of the new namespace would get EOVERFLOW. Become its root.
                steps.add(Step.of(Syscall.SETRESGID, "become gid 0 of the user namespace", imm(0), imm(0), imm(0)));
                steps.add(Step.of(Syscall.SETRESUID, "become uid 0 of the user namespace", imm(0), imm(0), imm(0)));
            }
        }
        if (!execMode) {
            hopIntoImage();
        }
        if (!execMode) {
            steps.add(SecuritySteps.nonDumpable()); // before joining namespaces others are in
        }
        if (needsProc()) {
            openProc(); // the host's: before a mount namespace given by path is joined
        }
        joinNamespaces(ns);
        if (unshareFlags != 0) {
            steps.add(Step.of(Syscall.UNSHARE, "unshare the new namespaces", imm(unshareFlags, cloneFlagNames(unshareFlags))));
        }
        if (execMode && newUserNs) {
            // No parent is left to write the maps, and a process holds no capability in the
            // namespace it left (user_namespaces(7)): it may map only its own ids, one each,
            // after denying setgroups.
            IdMapping uid = ownIdMapping(config.linux().uidMappings(), host.uid(), "linux.uidMappings");
            IdMapping gid = ownIdMapping(config.linux().gidMappings(), host.gid(), "linux.gidMappings");
            selfWrite("/proc/self/setgroups", "deny", mapSlot);
            selfWrite("/proc/self/uid_map", uid.containerID() + " " + uid.hostID() + " 1\n", mapSlot);
            selfWrite("/proc/self/gid_map", gid.containerID() + " " + gid.hostID() + " 1\n", mapSlot);
        }
        if (execMode) {
            steps.add(SecuritySteps.nonDumpable()); // after its own maps: /proc/self files are root's once non-dumpable
        }
        // In the new namespaces, before the mounts: /proc/sys shows the writer's ipc, uts and net
        // namespaces whichever proc it is, and the container's /proc/sys is read-only once mounted.
        if (role != Role.HOLDER) {
            SecuritySteps.sysctl(steps, config, ns.keySet(), FD_SLOT, PROC_SLOT);
        }
        if (config.process().terminal() && !consoleInContainer()) {
            consoleSteps();
        }
        // Exact modes for devices and mount points; the process's umask is set before exec.
        steps.add(Step.unchecked(Syscall.UMASK, "umask", imm(0, "0")));
        boolean mountNs = ns.containsKey(NamespaceType.MOUNT);
        if (mountNs && role == Role.TASK) {
            taskMountSteps();
        } else if (mountNs) {
            mountSteps();
        } else if (config.root() != null) {
            if (config.root().readonly()) {
                throw new PlanException("root.readonly", "a read-only root needs a mount namespace (the remount would be the host's)");
            }
            // No mount namespace: the process still gets root.path as its root, never the host's
            // "/" by silence (as runc); without a mount namespace that is a chroot. Mounts,
            // masked and read-only paths are made as runc makes them then: in the runtime's own
            // mount namespace, under the rootfs (each target resolved in it, as always), where
            // they stay until delete (or the end of a foreground run) removes them
            // (dev.isthmus.container.HostMounts). Devices are not made (they would be nodes in
            // the bundle's directory).
            String root = rootfs.toString();
            boolean masks = config.linux() != null && !(config.linux().maskedPaths().isEmpty() && config.linux().readonlyPaths().isEmpty());
            if (!config.mounts().isEmpty() || masks) {
                inRoot.openRoot(root);
                List<Mount> mounts = config.mounts();
                for (int i = 0; i < mounts.size(); i++) {
                    planMount(mounts.get(i), "mounts[" + i + "]");
                }
                maskedAndReadonlyPaths();
                inRoot.closeRoot();
            }
            steps.add(Step.of(Syscall.CHROOT, "chroot to the rootfs " + root + " (no mount namespace)", str(root)));
            steps.add(Step.of(Syscall.CHDIR, "chdir to /", str("/")));
        }
        if (role != Role.HOLDER) { // the holder is in the host's uts namespace
            setHostnames(ns);
            SecuritySteps.personality(steps, config.linux() == null ? null : config.linux().personality());
        }
        int processStart = steps.size();
        processSteps();
        String uidMap = newUserNs && !execMode ? idMap(config.linux().uidMappings(), "linux.uidMappings") : "";
        String gidMap = newUserNs && !execMode ? idMap(config.linux().gidMappings(), "linux.gidMappings") : "";
        // A non-root parent may write a gid_map of its own gid only once setgroups is denied
        // (user_namespaces(7)); wider maps go through newgidmap, which decides that itself.
        boolean denySetgroups = !gidMap.isEmpty() && host.uid() != 0 && config.linux().gidMappings().size() == 1
                && config.linux().gidMappings().getFirst().size() == 1 && config.linux().gidMappings().getFirst().hostID() == host.gid();
        return new Program(cloneFlags, steps, uidMap, gidMap, denySetgroups, waits, processStart, parentOomScoreAdj, imageStart);
    }

    /**
     * The JVM's child leaves the JVM: every fd above stderr and the preserved ones is marked
     * close-on-exec but the error pipe (and the console), and the child execs the sealed memfd
     * image of this same table (slot IMAGE), which runs on from the next step. From there the
     * process holds no fd of the runtime (the exec closed the JVM's jars, its pipes and whatever
     * fd the caller leaked into it: CVE-2024-21626 through args[0] or PATH), none of the JVM's
     * memory, and its /proc/PID/exe is the write-sealed memfd, not the host's java, so neither
     * a "#!/proc/self/exe" nor a dynamic loader planted in the container reaches a writable
     * runtime binary (CVE-2019-5736). The child's id maps are written before (the exec
     * recomputes capabilities).
     */
    private void hopIntoImage() {
        steps.add(Step.of(Syscall.CLOSE_RANGE, "mark the runtime's fds close-on-exec", imm(3 + options.preserveFds()),
                imm(0xffffffffL, "~0U"), imm(K.CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC")));
        steps.add(Step.of(Syscall.FCNTL, "keep the error pipe open across the image's exec", new Arg.Slot(Program.ERR),
                imm(K.F_SETFD, "F_SETFD"), imm(0)));
        if (config.process().terminal()) {
            steps.add(Step.of(Syscall.FCNTL, "keep the console open across the image's exec", new Arg.Slot(Program.CONSOLE),
                    imm(K.F_SETFD, "F_SETFD"), imm(0)));
        }
        if (keepTarget) {
            steps.add(Step.of(Syscall.FCNTL, "keep the container's pidfd open across the image's exec", new Arg.Slot(Program.TARGET),
                    imm(K.F_SETFD, "F_SETFD"), imm(0)));
        }
        if (parkFifo != null) {
            steps.add(Step.of(Syscall.FCNTL, "keep the commit pipe open across the image's exec", new Arg.Slot(Program.COMMIT),
                    imm(K.F_SETFD, "F_SETFD"), imm(0)));
            steps.add(Step.of(Syscall.FCNTL, "keep the exec FIFO " + parkFifo + " open across the image's exec",
                    new Arg.Slot(Program.FIFO), imm(K.F_SETFD, "F_SETFD"), imm(0)));
        }
        steps.add(Step.of(Syscall.EXECVEAT, "exec the init image", new Arg.Slot(Program.IMAGE), str(""),
                new Arg.StrArray(List.of("isthmus-init"), false), new Arg.StrArray(List.of(), true),
                imm(K.AT_EMPTY_PATH, "AT_EMPTY_PATH")));
        imageStart = steps.size();
        // The image is the process's /proc/self/exe from here: a container program that execs
        // it again (/bin/sh -> /proc/self/exe) must not replay the set-up. Only the runtime's
        // exec has the error pipe open (close-on-exec again before the user program).
        steps.add(Step.of(Syscall.FCNTL, "check that the runtime started the image (its error pipe is open)", new Arg.Slot(Program.ERR),
                imm(K.F_GETFD, "F_GETFD"), imm(0)));
    }

    /**
     * {@code template}, planned from {@code config}, with its process part planned again for
     * {@code process}: what one task of a many-task launch patches (args, env, cwd, user).
     */
    public static Program withProcess(Program template, Config config, Path bundle, Host host, dev.isthmus.spec.Process process)
            throws PlanException {
        Config patched = new Config(config.ociVersion(), process, config.root(), config.hostname(), config.domainname(),
                config.mounts(), config.hooks(), config.annotations(), config.linux());
        Planner p = new Planner(patched, bundle, host, Options.DEFAULT);
        p.procOpen = template.steps().subList(0, template.processStart()).stream()
                .anyMatch(s -> (s.flags() & Step.STORE) != 0 && s.storeSlot() == PROC_SLOT && s.call() == Syscall.OPENAT);
        p.processSteps();
        return template.withProcessSteps(p.steps);
    }

    /**
     * A new session whose controlling terminal is the console pty's slave (passed in slot
     * CONSOLE by the launcher), which also becomes stdin, stdout and stderr.
     */
    /**
     * Whether the console pty comes from the container's own devpts (a parked init, create or
     * run, with a mount namespace and a devpts mount on /dev/pts): as with runc, `tty` then names
     * /dev/pts/N of the container and /dev/console is that pty. Otherwise the launcher's pty (in
     * slot CONSOLE) is the console.
     */
    private boolean consoleInContainer() {
        return parkFifo != null && config.process().terminal() && namespaces().containsKey(NamespaceType.MOUNT)
                && config.mounts().stream().anyMatch(m -> "devpts".equals(m.type()) && InRoot.normalize(m.destination()).equals("/dev/pts"));
    }

    /**
     * The container's console, made by the init once its devpts is mounted: a pty from the
     * container's /dev/ptmx (resolved in the root), unlocked, its slave opened by TIOCGPTPEER
     * (no path lookup) and bound on /dev/console (refused when /dev/console is a symlink:
     * CVE-2025-52565), the slave the controlling terminal and stdio of a new session. The
     * master goes to the fd number of slot CONSOLE (a placeholder the launcher passed, close-on-
     * exec), where the runtime takes it with pidfd_getfd once the init reports READY.
     */
    private void containerConsole() {
        int master = FD_SLOT;
        int slave = SCRATCH_SLOT + 1;
        inRoot.openPtmx(master);
        steps.add(Step.of(Syscall.IOCTL, "unlock the container's pty", new Arg.Slot(master), imm(K.TIOCSPTLCK, "TIOCSPTLCK"),
                new Arg.Bytes(new byte[4], "&0")));
        steps.add(new Step(Syscall.IOCTL, List.of(new Arg.Slot(master), imm(K.TIOCGPTPEER, "TIOCGPTPEER"),
                imm(K.O_RDWR | K.O_NOCTTY | K.O_CLOEXEC, "O_RDWR|O_NOCTTY|O_CLOEXEC")), Step.CHECK | Step.STORE, slave, 0,
                "open the container's pty slave"));
        steps.add(Step.of(Syscall.DUP3, "hand the pty's master to the runtime (the console slot's fd)", new Arg.Slot(master),
                new Arg.Slot(Program.CONSOLE), imm(K.O_CLOEXEC, "O_CLOEXEC")));
        steps.add(Step.of(Syscall.CLOSE, "close the pty's master", new Arg.Slot(master)));
        inRoot.createFile("/dev/console");
        inRoot.bindFd(slave, "/dev/console", "bind the console pty on /dev/console");
        Arg console = new Arg.Slot(slave);
        steps.add(Step.of(Syscall.SETSID, "start a new session"));
        steps.add(Step.of(Syscall.IOCTL, "make the console the controlling terminal", console, imm(K.TIOCSCTTY, "TIOCSCTTY"), imm(0)));
        for (int fd = 0; fd <= 2; fd++) {
            steps.add(Step.of(Syscall.DUP3, "make the console fd " + fd, console, imm(fd), imm(0)));
        }
        steps.add(Step.of(Syscall.CLOSE, "close the pty slave", console));
    }

    private boolean needsProc() {
        return SecuritySteps.hasLabels(config) || config.linux() != null && !config.linux().sysctl().isEmpty();
    }

    /** O_PATH of "/proc" as the runtime sees it (the host's), into PROC_SLOT; a step of the image (its slots start afresh). */
    private void openProc() {
        steps.add(Step.storing(PROC_SLOT, Syscall.OPENAT, "open the runtime's /proc (for sysctl and LSM label writes)",
                imm(K.AT_FDCWD, "AT_FDCWD"), str("/proc"), imm(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC"),
                imm(0)));
        procOpen = true;
    }

    private void consoleSteps() {
        Arg console = new Arg.Slot(Program.CONSOLE);
        steps.add(Step.of(Syscall.SETSID, "start a new session"));
        steps.add(Step.of(Syscall.IOCTL, "make the console the controlling terminal", console, imm(K.TIOCSCTTY, "TIOCSCTTY"), imm(0)));
        for (int fd = 0; fd <= 2; fd++) {
            steps.add(Step.of(Syscall.DUP3, "make the console fd " + fd, console, imm(fd), imm(0)));
        }
    }

    private void joinNamespaces(Map<NamespaceType, String> ns) {
        // The user namespace first: joining it grants the capabilities the other joins need.
        List<NamespaceType> order = new ArrayList<>(ns.keySet());
        order.sort((a, b) -> Boolean.compare(b == NamespaceType.USER, a == NamespaceType.USER));
        for (NamespaceType t : order) {
            String path = ns.get(t);
            if (path == null || t == NamespaceType.PID && !execMode) {
                // A pid namespace given by path: the child is born in it (Spawner's launcher
                // moves its own pid_ns_for_children for the clone); setns here would move only
                // the child's children.
                continue;
            }
            steps.add(Step.storing(FD_SLOT, Syscall.OPENAT, "open " + t.specName() + " namespace " + path,
                    imm(K.AT_FDCWD, "AT_FDCWD"), str(path), imm(K.O_RDONLY | K.O_CLOEXEC, "O_RDONLY|O_CLOEXEC"), imm(0)));
            steps.add(Step.of(Syscall.SETNS, "join " + t.specName() + " namespace " + path,
                    new Arg.Slot(FD_SLOT), imm(cloneFlag(t), cloneFlagNames(cloneFlag(t)))));
            steps.add(Step.of(Syscall.CLOSE, "close " + path, new Arg.Slot(FD_SLOT)));
        }
    }

    private void mountSteps() throws PlanException {
        String rootPropagation = config.linux() == null ? null : config.linux().rootfsPropagation();
        long prop = K.MS_SLAVE | K.MS_REC;
        if (rootPropagation != null && !rootPropagation.isEmpty()) {
            MountOption o = MountOption.of(rootPropagation);
            if (o == null || o.kind() != MountOption.Kind.PROPAGATION) {
                throw new PlanException("linux.rootfsPropagation", "not a propagation type");
            }
            prop = o.flags() | K.MS_REC;
        }
        // Nothing mounted below may propagate back to the host (shared would; pivot_root refuses it),
        // and the rootfs must still be bindable onto itself (unbindable would refuse it): both are
        // applied to the container's "/" only after pivot_root.
        long hostSide = (prop & (K.MS_SHARED | K.MS_UNBINDABLE)) != 0 ? K.MS_SLAVE | K.MS_REC : prop;
        steps.add(mount("make / " + MountOption.flagNames(hostSide) + " in the new mount namespace", null, "/", null, hostSide, null));
        String root = rootfs.toString();
        steps.add(mount("bind the rootfs " + root + " onto itself", root, root, null, K.MS_BIND | K.MS_REC, null));
        // From here every target is resolved inside this bind (InRoot): the fd names the very
        // mount that pivot_root makes "/", so it stays valid as the root after the pivot.
        inRoot.openRoot(root);
        List<Mount> mounts = config.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            if (split == null || !split.taskMounts().contains(i)) {
                planMount(mounts.get(i), "mounts[" + i + "]");
            }
        }
        if (split == null || !split.devicesInTask()) {
            devices();
        }
        if (consoleInContainer()) {
            containerConsole();
        }
        // Before pivot_root: a masked file gets a clone of the host's own /dev/null, looked up
        // in the host's mount tree, never of a /dev/null the rootfs could plant as a symlink
        // to a host file (CVE-2025-31133); targets are resolved in the root as every mount's.
        maskedAndReadonlyPaths(p -> split == null || !split.taskPaths().contains(InRoot.normalize(p)));
        if (split != null) {
            for (String d : split.holderMkdirs()) {
                inRoot.mkdirs(d); // the tasks' own mount points, while the root is still writable
            }
        }
        if (options.noPivot() || host.rootIsRamfs()) {
            inRoot.chdirRoot();
            steps.add(mount("move the rootfs to /", ".", "/", null, K.MS_MOVE, null));
            steps.add(Step.of(Syscall.CHROOT, "chroot to the rootfs", str(".")));
        } else {
            // pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it
            // (pivot_root(2), NOTES), so no directory in the rootfs is needed for the old root.
            inRoot.chdirRoot();
            steps.add(Step.of(Syscall.PIVOT_ROOT, "pivot_root to " + root, str("."), str(".")));
            steps.add(Step.of(Syscall.UMOUNT2, "detach the old root", str("."), imm(K.MNT_DETACH, "MNT_DETACH")));
        }
        steps.add(Step.of(Syscall.CHDIR, "chdir to /", str("/")));
        if (prop != hostSide) {
            steps.add(mount("make / " + MountOption.flagNames(prop), null, "/", null, prop, null));
        }
        inRoot.closeRoot();
        if (config.root().readonly()) {
            steps.add(mount("remount the root read-only", null, "/", null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY, null));
        }
    }

    /**
     * A task of a template mount namespace (TemplateSplit): joins the template (slot TARGET,
     * closed right after), copies it, and makes only its own mounts, device nodes and masks
     * beneath the root, which the template has bound, pivoted and made read-only already. Its
     * masked files get a clone of its own fresh /dev's null (TemplateSplit requires /dev to be a
     * tmpfs of the task's), never a node of the rootfs.
     */
    private void taskMountSteps() throws PlanException {
        steps.add(Step.of(Syscall.SETNS, "join the batch's template mount namespace", new Arg.Slot(Program.TARGET),
                imm(K.CLONE_NEWNS, "CLONE_NEWNS")));
        steps.add(Step.of(Syscall.CLOSE, "close the template namespace's fd", new Arg.Slot(Program.TARGET)));
        steps.add(Step.of(Syscall.UNSHARE, "copy it into a mount namespace of the task's own", imm(K.CLONE_NEWNS, "CLONE_NEWNS")));
        inRoot.openRoot("/");
        List<Mount> mounts = config.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            if (split.taskMounts().contains(i)) {
                planMount(mounts.get(i), "mounts[" + i + "]");
            }
        }
        if (split.devicesInTask()) {
            devices();
        }
        maskedAndReadonlyPaths(p -> split.taskPaths().contains(InRoot.normalize(p)));
        steps.add(Step.of(Syscall.CHDIR, "chdir to /", str("/")));
        inRoot.closeRoot();
    }

    private void planMount(Mount m, String field) throws PlanException {
        long flags = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        for (String opt : m.options()) {
            MountOption o = MountOption.of(opt);
            if (o == null) {
                if (isRecursiveAttr(opt)) {
                    throw new PlanException(field + ".options", "recursive attribute options (rro, rnosuid, ...) are not supported yet");
                }
                data.add(opt);
            } else {
                switch (o.kind()) {
                    case SET -> flags |= o.flags();
                    case CLEAR -> flags &= ~o.flags();
                    case PROPAGATION -> propagation |= o.flags();
                }
            }
        }
        if (InRoot.normalize(m.destination()).equals("/")) {
            throw new PlanException(field + ".destination", "must name a path below the container's root, not the root itself");
        }
        if (resolvesToRoot(m.destination())) {
            // The mount would cover the whole rootfs (runc refuses the same); the steps resolve
            // it in the root at run time, this refuses what the rootfs holds at plan time.
            throw new PlanException(field + ".destination", "a symlink in the rootfs makes it the container's root itself");
        }
        String type = m.type() == null ? "" : m.type();
        boolean bind = (flags & K.MS_BIND) != 0 || type.equals("bind");
        String target = m.destination();
        String source = m.source();
        if (bind) {
            if (source == null || source.isEmpty()) {
                throw new PlanException(field + ".source", "a bind mount needs a source");
            }
            Path src = bundle.resolve(source).normalize();
            source = src.toString();
            boolean directory = host.isDirectory(src, true);
            inRoot.mountPoint(target, directory);
            // The flags a bind remount would change are set on the detached copy before it is
            // attached (mount_setattr), so the mount never appears with fewer restrictions.
            long[] attrs = InRoot.attrsOf(flags & ~(K.MS_BIND | K.MS_REC | K.MS_REMOUNT));
            inRoot.bind("bind " + source + " on " + m.destination(), source, target, directory, (flags & K.MS_REC) != 0,
                    attrs[0], attrs[1], false, propagation);
            return;
        } else if (type.equals("cgroup") || type.equals("cgroup2")) {
            inRoot.mountPoint(target, true);
            cgroupMount(m, target, flags, propagation);
            return;
        } else {
            if (type.isEmpty()) {
                throw new PlanException(field + ".type", "required for a mount that is not a bind mount");
            }
            if (newUserNs && type.equals("sysfs") && !namespaces().containsKey(NamespaceType.NETWORK)) {
                // sysfs refuses a mount from a user namespace that does not own the network
                // namespace; bind the host's instead, read-only (as runc does).
                inRoot.mountPoint(target, true);
                inRoot.bind("bind /sys on " + m.destination(), "/sys", target, true, true, K.MOUNT_ATTR_RDONLY | K.MOUNT_ATTR_NOSUID
                        | K.MOUNT_ATTR_NODEV | K.MOUNT_ATTR_NOEXEC, 0, true, propagation);
            } else if (execMode && type.equals("proc")) {
                // No pid namespace of its own in exec mode: a new proc instance is refused, the
                // host's can be bound (recursively, with what is mounted below it).
                inRoot.mountPoint(target, true);
                inRoot.bind("bind /proc on " + m.destination(), "/proc", target, true, true, 0, 0, false, propagation);
            } else {
                String label = mountLabel();
                if (label != null && !type.equals("proc") && !type.equals("sysfs") && !type.equals("mqueue")) {
                    data.add("context=\"" + label + "\""); // quoted: an MLS range holds commas
                }
                // runc's tmpcopyup (podman --tmpfs, --read-only): the tmpfs starts with a copy of
                // what it covers; notmpcopyup is podman's way to say no
                boolean copyUp = type.equals("tmpfs") && data.remove("tmpcopyup");
                data.remove("notmpcopyup");
                List<Host.Entry> entries = copyUp ? copyUpEntries(target, field) : List.of();
                inRoot.mountPoint(target, true);
                if (!entries.isEmpty()) {
                    inRoot.openCopySource(target);
                }
                inRoot.mountNew("mount " + type + " on " + m.destination(), source == null ? type : source, target, type,
                        flags & ~K.MS_REMOUNT, data.isEmpty() ? null : String.join(",", data), propagation);
                if (!entries.isEmpty()) {
                    List<IdMapping> um = config.linux() == null ? List.of() : config.linux().uidMappings();
                    List<IdMapping> gm = config.linux() == null ? List.of() : config.linux().gidMappings();
                    inRoot.copyUp(target, entries, id -> containerId(id, um), id -> containerId(id, gm), FD_SLOT, SCRATCH_SLOT + 1);
                }
            }
        }
    }

    /** Most entries a tmpcopyup copies (each is a few steps of the program). */
    static final int COPY_UP_LIMIT = 10_000;

    /**
     * What a tmpcopyup tmpfs on {@code containerDir} starts with: the entries below that
     * directory in the rootfs, its symlinks followed in the rootfs as the container will see them.
     */
    private List<Host.Entry> copyUpEntries(String containerDir, String field) throws PlanException {
        List<String> at = inRootfs(containerDir);
        if (at == null) {
            return List.of();
        }
        List<Host.Entry> entries;
        Path dir = rootfs.resolve(String.join("/", at));
        try {
            entries = host.tree(dir, COPY_UP_LIMIT);
        } catch (java.io.UncheckedIOException e) {
            throw new PlanException(field + ".options", "tmpcopyup: cannot read " + dir + ": " + dev.isthmus.sys.Errno.reason(e.getCause()));
        }
        if (entries.size() > COPY_UP_LIMIT) {
            throw new PlanException(field + ".options", "tmpcopyup: " + dir + " holds more than " + COPY_UP_LIMIT + " entries to copy");
        }
        return entries;
    }

    /** The container's id for host id {@code id} under {@code maps} (no maps: the same), or -1 when it maps none. */
    private long containerId(long id, List<IdMapping> maps) {
        if (!newUserNs) {
            return id;
        }
        for (IdMapping m : maps) {
            if (id >= m.hostID() && id - m.hostID() < m.size()) {
                return m.containerID() + (id - m.hostID());
            }
        }
        return -1;
    }

    /**
     * linux.mountLabel where the host has SELinux, else null (SecuritySteps.labels refuses a
     * label on a host without it). It becomes the {@code context=} of every new filesystem the
     * container gets (tmpfs, devpts, ...; not proc, sysfs or mqueue, which take no context) and
     * of the tmpfs that masks a directory, as runc does; bind mounts keep their own labels.
     */
    private String mountLabel() {
        String label = config.linux() == null ? null : config.linux().mountLabel();
        return label == null || label.isEmpty() || !host.seLinux() ? null : label;
    }

    private static boolean isRecursiveAttr(String opt) {
        return switch (opt) {
            case "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime",
                    "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime", "rnodiratime", "rdiratime" -> true;
            default -> false;
        };
    }

    private void cgroupMount(Mount m, String target, long flags, long propagation) {
        if (host.cgroup2Only()) {
            inRoot.mountNew("mount cgroup2 on " + m.destination(), "cgroup", target, "cgroup2", flags, null, propagation);
            return;
        }
        long attrs = K.MOUNT_ATTR_NOSUID | K.MOUNT_ATTR_NODEV | K.MOUNT_ATTR_NOEXEC;
        if ((flags & K.MS_RDONLY) != 0) {
            attrs |= K.MOUNT_ATTR_RDONLY;
        }
        if (!options.cgroupView().isEmpty()) {
            // v1 or hybrid, as runc: a tmpfs with one directory per hierarchy, each a bind of the
            // container's own cgroup directory there, so a program reads its own limits
            // (memory.limit_in_bytes, cpu.cfs_quota_us, pids.max) and sees no other cgroup.
            inRoot.mountNew("mount a tmpfs for the container's cgroups on " + m.destination(), "tmpfs", target, "tmpfs",
                    K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC, "mode=755", 0);
            String dest = InRoot.normalize(target);
            for (Map.Entry<String, String> e : options.cgroupView().entrySet()) {
                String sub = dest + "/" + e.getKey();
                inRoot.mountPoint(sub, true);
                inRoot.bind("bind the container's " + e.getKey() + " cgroup " + e.getValue() + " on " + sub, e.getValue(), sub, true,
                        false, attrs, 0, false, 0);
            }
            for (String name : options.cgroupView().keySet()) {
                // a co-mounted hierarchy is found by each of its names, as on the host (cpu -> cpu,cpuacct)
                for (String part : name.split(",")) {
                    if (name.contains(",") && !options.cgroupView().containsKey(part)) {
                        inRoot.symlink(name, dest + "/" + part);
                    }
                }
            }
            if ((flags & K.MS_RDONLY) != 0) {
                inRoot.readonly(dest);
            }
            if (propagation != 0) {
                inRoot.propagation(dest, propagation);
            }
            return;
        }
        // No view given (a batch task): the host's hierarchies, bound recursively and made
        // read-only and inert in one mount_setattr(AT_RECURSIVE) call (a plain remount would
        // leave submounts writable).
        inRoot.bind("bind the host's cgroup hierarchies on " + m.destination(), "/sys/fs/cgroup", target, true, true, attrs, 0, true,
                propagation);
    }

    private void devices() throws PlanException {
        Set<String> done = new LinkedHashSet<>();
        List<LinuxDevice> configured = config.linux() == null ? List.of() : config.linux().devices();
        for (int i = 0; i < configured.size(); i++) {
            LinuxDevice d = configured.get(i);
            long mode = switch (d.type()) {
                case "c", "u" -> K.S_IFCHR;
                case "b" -> K.S_IFBLK;
                case "p" -> K.S_IFIFO;
                default -> throw new PlanException("linux.devices[" + i + "].type", "must be c, b, u or p");
            };
            if (InRoot.normalize(d.path()).equals("/")) {
                throw new PlanException("linux.devices[" + i + "].path", "must name a file below the container's root, not the root itself");
            }
            long perm = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
            device(d.path(), mode, perm, d.major(), d.minor());
            done.add(d.path());
        }
        for (DefaultDevice d : DEFAULT_DEVICES) {
            if (!done.contains(d.path())) {
                device(d.path(), K.S_IFCHR, 0666, d.major(), d.minor());
            }
        }
        for (String[] link : DEV_SYMLINKS) {
            inRoot.symlink(link[0], link[1]);
        }
    }

    private void device(String path, long type, long perm, long major, long minor) {
        if (newUserNs || host.inUserNamespace()) {
            // mknod is refused in a user namespace: bind the host's node instead (runc does the same).
            inRoot.createFile(path);
            inRoot.bind("bind the host's " + path, path, path, false, false, 0, 0, false, 0);
        } else {
            inRoot.mknod(path, type | perm, "0" + Long.toOctalString(type | perm), K.makedev(major, minor),
                    "makedev(" + major + ", " + minor + ")");
        }
    }

    private void maskedAndReadonlyPaths() {
        maskedAndReadonlyPaths(p -> true);
    }

    /** The masked and read-only paths {@code which} accepts. */
    private void maskedAndReadonlyPaths(java.util.function.Predicate<String> which) {
        if (config.linux() == null) {
            return;
        }
        // The last mount on /proc is a procfs of this program's own (then "/proc/NAME" is the kernel's).
        boolean freshProc = !newUserNs && config.mounts().stream().filter(m -> InRoot.normalize(m.destination()).equals("/proc"))
                .reduce((a, b) -> b).map(m -> "proc".equals(m.type())).orElse(false);
        for (String p : config.linux().maskedPaths()) {
            if (!which.test(p)) {
                continue;
            }
            // Directories get an empty read-only tmpfs, anything else /dev/null; what it is inside
            // the container is judged from the host (/proc, /sys) or the rootfs at plan time.
            Path probe = p.startsWith("/proc/") || p.startsWith("/sys/") ? Path.of(p) : Path.of(inRoot(p));
            String norm = InRoot.normalize(p);
            if (freshProc && norm.startsWith("/proc/") && norm.indexOf('/', "/proc/".length()) < 0 && !host.exists(probe)) {
                inRoot.absentProcEntry(norm); // the kernel's procfs has no such entry (it is the same kernel's)
            } else if (host.isDirectory(probe, false)) {
                inRoot.maskDirectory(p, mountLabel());
            } else {
                inRoot.maskFile(p);
            }
        }
        for (String p : config.linux().readonlyPaths()) {
            if (which.test(p)) {
                inRoot.readonly(p);
            }
        }
    }

    private void setHostnames(Map<NamespaceType, String> ns) throws PlanException {
        if (config.hostname() != null && !config.hostname().isEmpty()) {
            if (!ns.containsKey(NamespaceType.UTS)) {
                throw new PlanException("hostname", "setting a hostname needs a uts namespace");
            }
            steps.add(Step.of(Syscall.SETHOSTNAME, "set the hostname", str(config.hostname()), imm(utf8Length(config.hostname()))));
        }
        if (config.domainname() != null && !config.domainname().isEmpty()) {
            if (!ns.containsKey(NamespaceType.UTS)) {
                throw new PlanException("domainname", "setting a domainname needs a uts namespace");
            }
            steps.add(Step.of(Syscall.SETDOMAINNAME, "set the domainname", str(config.domainname()), imm(utf8Length(config.domainname()))));
        }
    }

    private void processSteps() throws PlanException {
        var p = config.process();
        List<Rlimit> rlimits = p.rlimits();
        for (int i = 0; i < rlimits.size(); i++) {
            Rlimit r = rlimits.get(i);
            Integer res = Rlimits.resource(r.type());
            if (res == null) {
                throw new PlanException("process.rlimits[" + i + "].type", "unknown resource");
            }
            steps.add(Step.of(Syscall.PRLIMIT64, "set " + r.type(), imm(0), imm(res, r.type()),
                    new Arg.Bytes(K.rlimit(r.soft(), r.hard()), "{soft=" + r.soft() + ", hard=" + r.hard() + "}"), imm(0)));
        }
        if (p.noNewPrivileges()) {
            steps.add(Step.of(Syscall.PRCTL, "set no_new_privs", imm(K.PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"), imm(1), imm(0), imm(0), imm(0)));
        }
        // The runtime's own steps come before an early seccomp filter (as runc orders them): the cwd
        // (resolved as root, as runc first tries it), LSM labels and the fds. After the filter only
        // the credential changes, the parked init's wait and execve remain.
        String cwd = p.cwd() == null || p.cwd().isEmpty() ? "/" : p.cwd();
        InRoot.chdirCwd(steps, cwd); // no magic links: CVE-2024-21626
        if (SecuritySteps.hasLabels(config) && !procOpen) {
            throw new PlanException(config.process().apparmorProfile() != null && !config.process().apparmorProfile().isEmpty()
                    ? "process.apparmorProfile" : "process.selinuxLabel", "a task may not add an LSM label its batch's config lacks");
        }
        SecuritySteps.labels(steps, config, host, FD_SLOT, PROC_SLOT);
        if (procOpen) {
            steps.add(Step.of(Syscall.CLOSE, "close the runtime's /proc", new Arg.Slot(PROC_SLOT)));
            procOpen = false;
        }
        // No JVM fd may reach the user program: every fd above stderr becomes close-on-exec,
        // which also closes the error pipe exactly when execve succeeds.
        steps.add(Step.of(Syscall.CLOSE_RANGE, "mark fds close-on-exec", imm(3 + options.preserveFds()), imm(0xffffffffL, "~0U"),
                imm(K.CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC")));
        // seccomp: before the credential steps without no_new_privs, else just before execve (SeccompSteps).
        Step seccomp = SeccompSteps.install(config);
        int seccompAt = seccomp != null && !p.noNewPrivileges() ? steps.size() : -1;
        if (seccompAt >= 0) {
            steps.add(seccomp);
        }
        SecuritySteps.beforeUserSwitch(steps, p.capabilities(), host.lastCap());
        var user = p.user();
        long uid = user == null ? 0 : user.uid();
        long gid = user == null ? 0 : user.gid();
        if (user != null && !(newUserNs && user.additionalGids().isEmpty())) {
            // In a fresh user namespace, setgroups needs the gid map written by a privileged parent.
            List<Long> groups = user.additionalGids();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.max(4, groups.size() * 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (Long g : groups) {
                b.putInt((int) (long) g);
            }
            steps.add(Step.of(Syscall.SETGROUPS, "set the supplementary groups", imm(groups.size()),
                    new Arg.Bytes(b.array(), groups.toString())));
        }
        steps.add(Step.of(Syscall.SETRESGID, "set gid " + gid, imm(gid), imm(gid), imm(gid)));
        steps.add(Step.of(Syscall.SETRESUID, "set uid " + uid, imm(uid), imm(uid), imm(uid)));
        SecuritySteps.afterUserSwitch(steps, p.capabilities(), host.lastCap());
        int umask = user != null && user.umask() != null ? user.umask() : 022;
        steps.add(Step.unchecked(Syscall.UMASK, "umask", imm(umask, "0" + Integer.toOctalString(umask))));
        if (parkFifo != null) {
            steps.add(Step.of(Syscall.WRITE, "report READY", new Arg.Slot(Program.ERR), new Arg.Bytes(READY, "READY"), imm(16)));
            steps.add(new Step(Syscall.READ, List.of(new Arg.Slot(Program.COMMIT), new Arg.SlotAddr(SCRATCH_SLOT), imm(1)),
                    Step.CHECK | Step.NONZERO, 0, 0, "wait until create has recorded the container"));
            steps.add(Step.of(Syscall.CLOSE, "close the commit pipe", new Arg.Slot(Program.COMMIT)));
            steps.add(new Step(Syscall.READ, List.of(new Arg.Slot(Program.FIFO), new Arg.SlotAddr(SCRATCH_SLOT), imm(1)),
                    Step.CHECK | Step.NONZERO, 0, 0, "wait for start on the exec FIFO"));
        }
        steps.add(Step.of(Syscall.RT_SIGPROCMASK, "unblock signals", imm(K.SIG_SETMASK, "SIG_SETMASK"),
                new Arg.Bytes(new byte[8], "[]"), imm(0, "NULL"), imm(8)));
        if (seccomp != null && seccompAt < 0) {
            seccompAt = steps.size();
            steps.add(seccomp);
        }
        execSteps(p.args(), p.env(), seccomp);
        if (seccomp != null) {
            SeccompSteps.checkAfter(steps, seccompAt, !p.noNewPrivileges());
        }
    }

    /**
     * The exec of the user program, with execvp(3)'s PATH search spelled out as candidate steps.
     * Each candidate is first opened with openat2(O_PATH, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS)
     * beneath the container's root (a relative one from the cwd, without magic links), which
     * refuses any path through a magic link (/proc/self/fd/N, /proc/PID/root: CVE-2024-21626's
     * args[0] and PATH routes); then its directory is opened the same way and the program exec'd
     * by its last name in that directory's fd (execveat), so the walk to it never starts from a
     * path the process could be tricked through, and the process is still named after the
     * program (execveat of the file's own fd would name it "N" after "/dev/fd/N").
     * A {@code #!} script cannot be exec'd through a close-on-exec directory fd (its interpreter
     * would need /dev/fd/N/NAME): the kernel says ENOENT and a plain execve of the same name
     * follows, as it does when openat2 is ENOSYS (an old kernel, or a seccomp filter that answers
     * so). The image holds no directory fd of the host by then (the hop closed the runtime's, the
     * runtime's /proc is closed), so even that execve has no magic link to the host to follow.
     * A direct path that openat2 refuses fails the program ("exec /proc/self/fd/5/x: Too many
     * levels of symbolic links"). When a seccomp filter installed before these steps would stop
     * openat, openat2 or execveat, the plain execve steps are all there is (the filter is the
     * user's choice).
     */
    private void execSteps(List<String> args, List<String> env, Step seccomp) throws PlanException {
        if (args.isEmpty()) {
            throw new PlanException("process.args", "must name the program to run");
        }
        String file = args.getFirst();
        if (file.isEmpty()) {
            throw new PlanException("process.args[0]", "must not be empty");
        }
        Arg argv = new Arg.StrArray(args, false);
        Arg envp = new Arg.StrArray(env, true);
        boolean byFd = seccomp == null || SeccompSteps.passes(seccomp, openExecutable(file, "", true))
                && SeccompSteps.passes(seccomp, execByFd(file, argv, envp, "")) && SeccompSteps.passes(seccomp, openRootForExec());
        if (byFd) {
            steps.add(openRootForExec());
        }
        if (file.contains("/")) {
            if (byFd) {
                steps.add(openExecutable(file, "exec " + file, true));
                steps.add(openDirectory(file));
                steps.add(execByFd(file, argv, envp, "exec " + file + " through its directory's fd"));
            }
            steps.add(Step.of(Syscall.EXECVE, "exec " + file, str(file), argv, envp));
            return;
        }
        String path = searchPath(env);
        List<String> candidates = candidates(file, env);
        for (int i = 0; i < candidates.size(); i++) {
            String c = candidates.get(i);
            if (byFd) {
                steps.add(openExecutable(c, "exec " + c, false));
                steps.add(openDirectory(c));
                steps.add(execByFd(c, argv, envp, "exec " + c + " through its directory's fd"));
            }
            if (i < candidates.size() - 1) {
                steps.add(Step.unchecked(Syscall.EXECVE, "exec " + c, str(c), argv, envp));
            } else {
                steps.add(Step.of(Syscall.EXECVE, "exec " + file + " (searched $PATH " + path + ")", str(c), argv, envp));
            }
        }
    }

    /** The $PATH execvp(3) searches for a process with environment {@code env}. */
    public static String searchPath(List<String> env) {
        String path = DEFAULT_PATH;
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                path = e.substring(5);
            }
        }
        return path;
    }

    /** What execvp(3) tries for {@code file}: itself when it holds a '/', else one candidate per $PATH entry ("" is "."). */
    public static List<String> candidates(String file, List<String> env) {
        if (file.contains("/")) {
            return List.of(file);
        }
        List<String> out = new ArrayList<>();
        for (String dir : searchPath(env).split(":", -1)) {
            out.add((dir.isEmpty() ? "." : dir) + "/" + file);
        }
        return out;
    }

    /** The process's root, the container's now ("/"), into EXE_ROOT_SLOT: where absolute candidates are resolved. */
    private static Step openRootForExec() {
        return Step.storing(EXE_ROOT_SLOT, Syscall.OPENAT, "open the container's root for the program's lookup", imm(K.AT_FDCWD, "AT_FDCWD"),
                str("/"), imm(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC"), imm(0));
    }

    /**
     * The program's candidate {@code path} opened into EXE_SLOT: an absolute one beneath the
     * container's root (EXE_ROOT_SLOT) with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, a relative one
     * from the cwd with RESOLVE_NO_MAGICLINKS (IN_ROOT would make the cwd a root that ".."
     * cannot leave); checked (ENOSYS tolerated) or not.
     */
    private static Step openExecutable(String path, String what, boolean checked) {
        boolean absolute = path.startsWith("/");
        String rel = absolute ? path.replaceFirst("^/+", "") : path;
        long resolve = absolute ? K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS : K.RESOLVE_NO_MAGICLINKS;
        List<Arg> args = List.of(absolute ? new Arg.Slot(EXE_ROOT_SLOT) : imm(K.AT_FDCWD, "AT_FDCWD"), str(rel.isEmpty() ? "." : rel),
                new Arg.Bytes(K.openHow(K.O_PATH | K.O_CLOEXEC, 0, resolve), "{flags=O_PATH|O_CLOEXEC, resolve="
                        + (absolute ? "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS" : "RESOLVE_NO_MAGICLINKS") + "}"),
                imm(24));
        return checked ? new Step(Syscall.OPENAT2, args, Step.CHECK | Step.STORE, EXE_SLOT, Errno.ENOSYS.number(), what)
                : new Step(Syscall.OPENAT2, args, Step.STORE, EXE_SLOT, 0, what);
    }

    /**
     * The directory of candidate {@code path} into EXE_DIR_SLOT, resolved as {@link #openExecutable}
     * resolves the whole path (unchecked: a failure leaves -errno there and the execveat that
     * takes it fails with EBADF).
     */
    private static Step openDirectory(String path) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "." : slash == 0 ? "/" : path.substring(0, slash);
        boolean absolute = dir.startsWith("/");
        String rel = absolute ? dir.replaceFirst("^/+", "") : dir;
        long resolve = absolute ? K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS : K.RESOLVE_NO_MAGICLINKS;
        return new Step(Syscall.OPENAT2, List.of(absolute ? new Arg.Slot(EXE_ROOT_SLOT) : imm(K.AT_FDCWD, "AT_FDCWD"),
                str(rel.isEmpty() ? "." : rel), new Arg.Bytes(K.openHow(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, 0, resolve),
                        "{flags=O_PATH|O_DIRECTORY|O_CLOEXEC, resolve=" + (absolute ? "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS" : "RESOLVE_NO_MAGICLINKS")
                                + "}"), imm(24)), Step.STORE, EXE_DIR_SLOT, 0, "open the directory of " + path);
    }

    /**
     * execveat(EXE_DIR_SLOT, NAME, argv, envp, 0), unchecked (a failure falls through to execve):
     * the program's last name looked up in its directory's fd, never a path from the process's
     * root. Not execveat(fd, "", AT_EMPTY_PATH) of the file itself: the kernel would name the
     * process after the fd ("/dev/fd/N" makes its comm "N"), and ps, top and pkill would see
     * numbers where runc's containers show the program's name.
     */
    private static Step execByFd(String path, Arg argv, Arg envp, String what) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return Step.unchecked(Syscall.EXECVEAT, what, new Arg.Slot(EXE_DIR_SLOT), str(name), argv, envp, imm(0));
    }

    private static IdMapping ownIdMapping(List<IdMapping> maps, long own, String field) throws PlanException {
        if (maps.size() != 1 || maps.getFirst().size() != 1 || maps.getFirst().hostID() != own) {
            throw new PlanException(field, "--state-mode=exec maps only the caller's own id (one mapping, hostID " + own
                    + ", size 1): the process writes its own maps; use the spec mode for ranges");
        }
        return maps.getFirst();
    }

    /** open, write and close a /proc/self file (exec mode's own id maps). */
    private void selfWrite(String path, String text, int slot) {
        SecuritySteps.writeFile(steps, path, text, "write " + path, slot);
    }


    private static boolean mapsRoot(List<IdMapping> maps) {
        for (IdMapping m : maps) {
            if (m.containerID() == 0) {
                return true;
            }
        }
        return false;
    }

    private String idMap(List<IdMapping> maps, String field) throws PlanException {
        if (maps.isEmpty()) {
            throw new PlanException(field, "a new user namespace needs at least one mapping");
        }
        StringBuilder sb = new StringBuilder();
        for (IdMapping m : maps) {
            sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        }
        return sb.toString();
    }

    private Step mount(String what, String source, String target, String type, long flags, String data) {
        return Step.of(Syscall.MOUNT, what, str(source), str(target), str(type), imm(flags, MountOption.flagNames(flags)), str(data));
    }

    /**
     * Whether {@code containerPath}, with the rootfs's symlinks followed as the container will see
     * them ("/" and ".." stay in the rootfs), is the root itself. Too many links: not judged here
     * (openat2 refuses them with ELOOP at run time).
     */
    private boolean resolvesToRoot(String containerPath) {
        List<String> at = inRootfs(containerPath);
        return at != null && at.isEmpty();
    }

    /**
     * The components of {@code containerPath} below the rootfs with the rootfs's symlinks
     * followed as the container will see them ("/" and ".." stay in the rootfs); null after
     * too many links.
     */
    private List<String> inRootfs(String containerPath) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(InRoot.normalize(containerPath).split("/")));
        List<String> cur = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!cur.isEmpty()) {
                    cur.removeLast();
                }
                continue;
            }
            String target = host.symlinkTarget(rootfs.resolve(String.join("/", cur)).resolve(c));
            if (target == null) {
                cur.add(c);
                continue;
            }
            if (++links > 40) {
                return null;
            }
            if (target.startsWith("/")) {
                cur.clear();
            }
            List<String> parts = List.of(target.split("/"));
            for (int i = parts.size() - 1; i >= 0; i--) {
                todo.push(parts.get(i));
            }
        }
        return cur;
    }

    /**
     * The host path of {@code containerPath} inside the rootfs, lexically: only for plan-time
     * guesses (is a masked path a directory?); the steps resolve paths with {@link InRoot}.
     */
    private String inRoot(String containerPath) {
        Path rel = Path.of("/").relativize(Path.of("/").resolve(containerPath).normalize());
        return rootfs.resolve(rel).normalize().toString();
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static long cloneFlag(NamespaceType t) {
        return switch (t) {
            case PID -> K.CLONE_NEWPID;
            case NETWORK -> K.CLONE_NEWNET;
            case MOUNT -> K.CLONE_NEWNS;
            case IPC -> K.CLONE_NEWIPC;
            case UTS -> K.CLONE_NEWUTS;
            case USER -> K.CLONE_NEWUSER;
            case CGROUP -> K.CLONE_NEWCGROUP;
            case TIME -> K.CLONE_NEWTIME;
        };
    }

    /** CLONE_NEW* names of {@code flags}, for listings. */
    public static String cloneFlagNames(long flags) {
        List<String> names = new ArrayList<>();
        for (NamespaceType t : NamespaceType.values()) {
            if ((flags & cloneFlag(t)) != 0) {
                names.add(switch (t) {
                    case PID -> "CLONE_NEWPID";
                    case NETWORK -> "CLONE_NEWNET";
                    case MOUNT -> "CLONE_NEWNS";
                    case IPC -> "CLONE_NEWIPC";
                    case UTS -> "CLONE_NEWUTS";
                    case USER -> "CLONE_NEWUSER";
                    case CGROUP -> "CLONE_NEWCGROUP";
                    case TIME -> "CLONE_NEWTIME";
                });
            }
        }
        return names.isEmpty() ? "0" : String.join("|", names);
    }
}
