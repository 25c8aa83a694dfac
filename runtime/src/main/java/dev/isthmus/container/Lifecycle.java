package dev.isthmus.container;

import dev.isthmus.plan.Host;
import dev.isthmus.plan.PlanException;
import dev.isthmus.plan.Planner;
import dev.isthmus.proc.ProcessIdentity;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.DefaultConfigs;
import dev.isthmus.spec.State;
import dev.isthmus.spec.StateWriter;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.SysException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The OCI lifecycle in spec mode (runtime.md "Lifecycle" and "Operations"): create leaves a
 * parked init, start releases it through the exec FIFO, state reports, kill signals, delete
 * removes. Operations the status table forbids fail with a message and change nothing.
 */
public final class Lifecycle {
    private static final int SIGKILL = 9;

    private final StateStore store;

    public Lifecycle(StateStore store) {
        this.store = store;
    }

    /**
     * A client starts the runtime once per container: the verbs that compile a seccomp profile
     * (create, exec, and run through Run) read it from, and create and run write it to, the disk
     * cache (SeccompCache). Not set up by the other verbs, which would only pay its class loading.
     */
    static void seccompOnDisk() {
        dev.isthmus.sys.Seccomp.keepCompiled(dev.isthmus.sys.SeccompCache.standard());
    }

    /** A refused operation or a failure, with its message for the user. */
    public static final class LifecycleException extends Exception {
        public LifecycleException(String message) {
            super(message);
        }
    }

    public void create(String id, Path bundle, Path pidFile, Path consoleSocket, Planner.Options options)
            throws LifecycleException, IOException {
        Path abs = bundle.toAbsolutePath().normalize();
        Config config;
        Planner.Parked parked;
        dev.isthmus.cgroup.ContainerCgroup cgroup;
        try {
            ContainerId.check(id);
            config = ConfigReader.read(abs.resolve("config.json"));
            RootlessConfig.check(config);
            cgroup = dev.isthmus.cgroup.ContainerCgroup.prepare(id, config);
            seccompOnDisk();
            parked = Planner.planParked(config, abs, Host.LIVE, options.withCgroupView(cgroup.view()), store.fifo(id));
            parked = dev.isthmus.plan.ParentSync.of(parked); // the init enters its cgroups before its first step
        } catch (ConfigException | PlanException | IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
        boolean terminal = config.process().terminal();
        if (terminal && consoleSocket == null) {
            throw new LifecycleException("process.terminal: a container with a terminal needs --console-socket");
        }
        if (!terminal && consoleSocket != null) {
            throw new LifecycleException("--console-socket: the container has no terminal (process.terminal is false)");
        }
        try {
            store.claim(id, abs);
        } catch (IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
        boolean ok = false;
        try {
            // The config as created: later hooks and exec read this snapshot, not a bundle that may have changed.
            java.nio.file.Files.copy(abs.resolve("config.json"), store.dir(id).resolve("config.json"));
            dev.isthmus.cgroup.Cgroup cg = cgroup.make(store.dir(id));
            Libc.mkfifo(store.fifo(id).toString(), 0600);
            // The console: a pty the init allocates in the container's devpts, whose master it
            // leaves at the number of a placeholder fd (taken once it is READY), or else one of
            // the host's devpts made here.
            boolean inContainer = terminal && parked.consoleInContainer();
            dev.isthmus.sys.Pty pty = terminal && !inContainer ? dev.isthmus.sys.Pty.open() : null;
            int console = -1;
            Spawner.Launch launch;
            try {
                console = inContainer ? Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC) : pty == null ? -1 : pty.openSlave();
                int pidNs = openPidNamespace(config);
                try {
                    launch = Spawner.launchParked(parked, console, store.fifo(id), pidNs);
                } finally {
                    Libc.close(pidNs);
                }
                if (pty != null) {
                    sendConsole(pty, config, consoleSocket);
                }
            } finally {
                if (pty != null) {
                    pty.close(); // the caller has the master now
                }
                if (!inContainer) {
                    Libc.close(console); // the child has its own copy
                }
            }
            int pidfd = launch.pidfd();
            try {
                launch.awaitExec(cg::add);
            } catch (SpawnException e) {
                launch.commit(false);
                Libc.close(console);
                throw new LifecycleException(e.getMessage());
            } finally {
                launch.close();
            }
            if (inContainer) {
                try (dev.isthmus.sys.Pty own = dev.isthmus.sys.Pty.adopt(Libc.pidfdGetfd(pidfd, console))) {
                    sendConsole(own, config, consoleSocket);
                } catch (SysException e) {
                    launch.commit(false);
                    Libc.pidfdSendSignal(pidfd, SIGKILL);
                    Libc.waitPidfd(pidfd, false);
                    Libc.close(pidfd);
                    throw e;
                } finally {
                    Libc.close(console);
                }
            }
            try {
                ProcessIdentity init = ProcessIdentity.of(launch.pid());
                if (init == null) {
                    throw new LifecycleException("the container's init ended during create");
                }
                checkExecutable(launch.pid(), config.process());
                StateStore.Record record = StateStore.Record.of(id, init, abs, config);
                store.save(record);
                try {
                    createHooks(record, config);
                } catch (HookRunner.HookException e) {
                    throw new LifecycleException(e.getMessage());
                }
                if (pidFile != null) {
                    Run.writePidFile(pidFile, init.pid());
                }
                if (!launch.commit(true)) {
                    throw new LifecycleException("the container's init ended during create");
                }
                ok = true;
                dev.isthmus.sys.Seccomp.keepLast();
            } finally {
                if (!ok) {
                    launch.commit(false);
                    Libc.pidfdSendSignal(pidfd, SIGKILL);
                    Libc.waitPidfd(pidfd, false);
                }
                Libc.close(pidfd);
            }
        } catch (SysException | IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        } finally {
            if (!ok) {
                HostMounts.release(abs, config);
                dev.isthmus.cgroup.ContainerCgroup.release(store.dir(id));
                store.remove(id);
            }
        }
        // The init now belongs to whoever reaps orphans once this process exits (a subreaper or pid 1).
    }

    /** Sizes the console's pty (process.consoleSize) and sends its master to the client's console socket. */
    private static void sendConsole(dev.isthmus.sys.Pty pty, Config config, Path consoleSocket) {
        var size = config.process().consoleSize();
        if (size != null) {
            dev.isthmus.sys.Pty.setSize(pty.master(), (int) size.height(), (int) size.width());
        }
        dev.isthmus.sys.ConsoleSocket.send(consoleSocket, pty.master(), pty.slavePath());
    }

    /**
     * runc's create fails when the program is not there; isthmus's parked init execs it only at
     * start, so create looks for it now, in the init's root with its mounts done (through
     * /proc/PID/root, resolved in that root): "exec /bin/x: No such file or directory", or with
     * the $PATH searched, the words a failed exec would use. A root that cannot be opened
     * (a rootless runtime may not) is not judged here: start's exec then fails as before.
     */
    private static void checkExecutable(int pid, dev.isthmus.spec.Process process) throws LifecycleException {
        String file = process.args().getFirst();
        java.util.List<String> candidates = Planner.candidates(file, process.env());
        String cwd = process.cwd() == null || process.cwd().isEmpty() ? "/" : process.cwd();
        int errno = dev.isthmus.sys.InRootLookup.findExecutable(pid, cwd, candidates);
        if (errno > 0) {
            // the words of the exec step that would have failed (Planner.execSteps)
            String what = file.contains("/") ? "exec " + file : "exec " + file + " (searched $PATH " + Planner.searchPath(process.env()) + ")";
            throw new LifecycleException(what + ": " + dev.isthmus.sys.Errno.message(errno));
        }
    }

    /**
     * The create hooks of a parked init recorded as {@code record} (create, and foreground run).
     * Spec order, in the runtime's namespaces then the container's: prestart (deprecated) and
     * createRuntime, then createContainer, whose path resolves in the runtime's mount namespace
     * (so that one is not joined). They run once the init is set up (after its pivot_root,
     * unlike runc): the namespaces exist then. The first failure stops them and is thrown.
     */
    void createHooks(StateStore.Record record, Config config) throws HookRunner.HookException {
        dev.isthmus.spec.Hooks h = hooksOf(config);
        hooks("prestart", h.prestart(), record, "creating", false, false);
        hooks("createRuntime", h.createRuntime(), record, "creating", false, false);
        hooks("createContainer", h.createContainer(), record, "creating", true, false);
    }

    /**
     * The poststop hooks of a container that has ended (delete, and foreground run): a failure
     * is a warning and the remaining hooks still run (the spec: log a warning, go on).
     */
    void poststopHooks(StateStore.Record record, Config config) {
        warnEach("poststop", hooksOf(config).poststop(), record, "stopped");
    }

    /** Runs each hook of a list whose failures only warn (poststart, poststop): one failing does not stop the rest. */
    private void warnEach(String point, java.util.List<dev.isthmus.spec.Hook> all, StateStore.Record record, String status) {
        for (int i = 0; i < all.size(); i++) {
            try {
                hooks(point, all.subList(i, i + 1), record, status, false, false);
            } catch (HookRunner.HookException e) {
                System.err.println("isthmus: warning: " + e.getMessage()); // the spec: log a warning, go on
            }
        }
    }

    /**
     * An fd of the pid namespace {@code linux.namespaces} names by path, for the launcher to
     * have the init born in it, or -1 when there is none.
     */
    static int openPidNamespace(Config config) {
        if (config.linux() == null) {
            return -1;
        }
        for (dev.isthmus.spec.LinuxNamespace ns : config.linux().namespaces()) {
            if (ns.type() == dev.isthmus.spec.NamespaceType.PID && ns.path() != null && !ns.path().isEmpty()) {
                try {
                    return Libc.open(ns.path(), Libc.O_RDONLY | Libc.O_CLOEXEC);
                } catch (SysException e) {
                    throw new SysException("linux.namespaces: open the pid namespace " + ns.path(), e.errno());
                }
            }
        }
        return -1;
    }

    /** Where exec-mode create leaves what start needs besides the config snapshot: the --pid-file and plan options. */
    private static final String EXEC_OPTIONS = "exec-options";

    /**
     * --state-mode=exec create: validates the config, plans the container (so that start cannot
     * fail on the config), snapshots config.json and records a container with no process (pid 0,
     * status created). Its create hooks run at start, when a process exists to describe.
     */
    public void createExecMode(String id, Path bundle, Path pidFile, Path consoleSocket, Planner.Options options)
            throws LifecycleException, IOException {
        Path abs = bundle.toAbsolutePath().normalize();
        Config config = execModePlan(id, abs.resolve("config.json"), abs, consoleSocket, options).config();
        try {
            RootlessConfig.check(config);
            dev.isthmus.cgroup.ContainerCgroup.prepare(id, config); // refuses bad cgroup settings now, makes nothing
        } catch (IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
        try {
            store.claim(id, abs);
        } catch (IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
        boolean ok = false;
        try {
            java.nio.file.Files.copy(abs.resolve("config.json"), store.dir(id).resolve("config.json"));
            java.nio.file.Files.writeString(store.dir(id).resolve(EXEC_OPTIONS), "pid-file=" + (pidFile == null ? "" : pidFile.toAbsolutePath())
                    + "\nno-pivot=" + options.noPivot() + "\npreserve-fds=" + options.preserveFds() + "\n");
            store.save(StateStore.Record.of(id, null, abs, config));
            ok = true;
        } finally {
            if (!ok) {
                store.remove(id);
            }
        }
    }

    /**
     * --state-mode=exec start: records this process as the container's init, runs the prestart,
     * createRuntime, createContainer and startContainer hooks (in this process's namespaces: the
     * container's are made after this point, by the image), then this process becomes the
     * container. Returns only when it could not; the container is then left created again.
     */
    public void startExecMode(String id) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        String status = store.status(r);
        if (r.pid() != 0 || !status.equals("created")) {
            throw new LifecycleException("cannot start container " + id + ": it is " + status + ", not created"
                    + (r.pid() != 0 ? " in exec mode" : ""));
        }
        java.util.Map<String, String> opts = new java.util.HashMap<>();
        for (String line : java.nio.file.Files.readAllLines(store.dir(id).resolve(EXEC_OPTIONS))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                opts.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Planner.Options options = new Planner.Options(Boolean.parseBoolean(opts.get("no-pivot")),
                Integer.parseInt(opts.getOrDefault("preserve-fds", "0")), false);
        String pidFile = opts.getOrDefault("pid-file", "");
        ExecModePlan plan = execModePlan(id, store.dir(id).resolve("config.json"), Path.of(r.bundle()), null, options);
        Config config = plan.config();
        ProcessIdentity self = ProcessIdentity.of((int) ProcessHandle.current().pid());
        StateStore.Record running = new StateStore.Record(r.id(), self.pid(), self.startTime(), r.bundle(), r.rootfs(), r.created(),
                r.owner(), r.annotations(), "");
        store.save(running);
        dev.isthmus.plan.Program program;
        try {
            // Made and recorded now; the process enters it in its image's first steps (not as the JVM).
            program = dev.isthmus.plan.ParentSync.selfPlaced(plan.program(),
                    dev.isthmus.cgroup.ContainerCgroup.prepare(id, config).make(store.dir(id)).procsFiles());
        } catch (IllegalArgumentException | IOException e) {
            store.save(r); // created again, as after a failed hook
            throw new LifecycleException(e.getMessage());
        }
        try {
            dev.isthmus.spec.Hooks h = hooksOf(config);
            hooks("prestart", h.prestart(), running, "creating", false, false);
            hooks("createRuntime", h.createRuntime(), running, "creating", false, false);
            hooks("createContainer", h.createContainer(), running, "creating", false, false);
            hooks("startContainer", h.startContainer(), running, "created", false, false);
            if (!pidFile.isEmpty()) {
                Run.writePidFile(Path.of(pidFile), self.pid());
            }
            dev.isthmus.sys.ExecMode.become(program, options.preserveFds());
        } catch (HookRunner.HookException | SysException e) {
            dev.isthmus.cgroup.ContainerCgroup.release(store.dir(id));
            store.save(r); // created again: it can be started or deleted
            throw new LifecycleException(e.getMessage());
        }
    }

    private record ExecModePlan(Config config, dev.isthmus.plan.Program program) {}

    /** run --dry-run in exec mode: the program exec-mode start would run, refused as create would refuse it. */
    public static java.util.List<String> execModeListing(String id, Path bundle, Planner.Options options) throws LifecycleException {
        Path abs = bundle.toAbsolutePath().normalize();
        return execModePlan(id, abs.resolve("config.json"), abs, null, options).program().listing("(none: exec mode runs in this process)");
    }

    /** An exec-mode container's config and program, refused with a clear message when exec mode cannot honour it. */
    private static ExecModePlan execModePlan(String id, Path file, Path bundle, Path consoleSocket, Planner.Options options)
            throws LifecycleException {
        try {
            ContainerId.check(id);
            Config config = ConfigReader.read(file);
            if (config.process() != null && config.process().terminal()) {
                throw new LifecycleException("process.terminal: not supported in --state-mode=exec (the container keeps the caller's terminal)");
            }
            if (consoleSocket != null) {
                throw new LifecycleException("--console-socket: not supported in --state-mode=exec (the container keeps the caller's terminal)");
            }
            if (config.hooks() != null && !config.hooks().poststart().isEmpty()) {
                throw new LifecycleException("hooks.poststart: cannot run in --state-mode=exec: no runtime process remains once the "
                        + "container's program has started");
            }
            return new ExecModePlan(config, Planner.planExecMode(config, bundle, Host.LIVE, options));
        } catch (ConfigException | PlanException | IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
    }

    public void start(String id) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        String status = store.status(r);
        if (!status.equals("created")) {
            throw new LifecycleException("cannot start container " + id + ": it is " + status + ", not created");
        }
        dev.isthmus.spec.Hooks h = hooksOf(bundleConfig(r));
        try {
            hooks("startContainer", h.startContainer(), r, "created", true, true);
        } catch (HookRunner.HookException e) {
            throw new LifecycleException(e.getMessage());
        }
        String fifo = store.fifo(id).toString();
        // Held from before the start byte to the program's exec: a racing `delete -f` (or kill)
        // may end the init at any point, and its pid may then be reused.
        int initPidfd = openInit(r);
        if (initPidfd < 0) {
            throw new LifecycleException("cannot start container " + id + ": its init is gone");
        }
        try {
            int fd;
            try {
                // Non-blocking: with no reader (the init is gone) open fails with ENXIO instead of hanging.
                fd = Libc.open(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            } catch (SysException e) {
                throw new LifecycleException("cannot start container " + id + ": its init is gone (" + e.getMessage() + ")");
            }
            try {
                try {
                    Libc.write(fd, new byte[] {0});
                } catch (SysException e) { // EPIPE: the init ended after the open
                    throw new LifecycleException("container " + id + " did not start: its init ended before the start ("
                            + e.getMessage() + ")");
                }
                awaitProgram(id, r.pid(), initPidfd, fd);
            } finally {
                Libc.close(fd);
            }
        } finally {
            Libc.close(initPidfd);
        }
        java.nio.file.Files.deleteIfExists(store.fifo(id));
        warnEach("poststart", h.poststart(), r, "running");
    }

    /** What /proc/PID/exe of a parked init names: the sealed memfd image Spawner.launchParked executes. */
    private static final String PARKED_IMAGE = "memfd:isthmus-init";
    /** How long start waits for the init to exec the program once it has the start byte. */
    private static final long START_TIMEOUT_NANOS = 10_000_000_000L;

    /**
     * After the start byte was written to the exec FIFO: returns once the init runs the program
     * (its exe is no longer the parked image), or has ended after taking the byte (a program that
     * ran and ended at once; a kill in the few steps between the read and execve cannot be told
     * from it). Throws when the init ended with the byte still unread in the FIFO: it was killed
     * (by a racing `delete -f` or kill) before the program ran.
     */
    private static void awaitProgram(String id, int pid, int initPidfd, int fifoFd) throws LifecycleException {
        Path proc = Path.of("/proc", Integer.toString(pid));
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            String target = null;
            try {
                target = java.nio.file.Files.readSymbolicLink(proc.resolve("exe")).toString();
            } catch (java.nio.file.AccessDeniedException e) {
                // no ptrace read access (a caller without CAP_SYS_PTRACE over the init): its comm
                // is world-readable, "memfd:isthmus-i" (15 characters) while parked
                try {
                    target = "/" + java.nio.file.Files.readString(proc.resolve("comm")).strip();
                    target = PARKED_IMAGE.startsWith(target.substring(1)) ? PARKED_IMAGE : target;
                } catch (IOException gone) {
                    // the pidfd below says
                }
            } catch (IOException e) {
                // gone or a zombie: the pidfd below says which
            }
            // Checked after the read: while the pidfd is not readable, /proc/PID was our init.
            boolean ended = Libc.pollIn(new int[] {initPidfd}, 0).length > 0;
            if (!ended) {
                if (target != null && !target.contains(PARKED_IMAGE)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new LifecycleException("container " + id + " did not start: its init has not run the program "
                            + START_TIMEOUT_NANOS / 1_000_000_000L + " s after the start (is it frozen?)");
                }
                Libc.pollIn(new int[] {initPidfd}, 1);
                continue;
            }
            if (startByteUnread(fifoFd)) {
                throw new LifecycleException("container " + id + " did not start: its init was killed before the program ran"
                        + " (a racing delete -f or kill?)");
            }
            return;
        }
    }

    /**
     * Whether the byte start wrote is still in the FIFO: read through a second, non-blocking
     * read end opened on our own fd (a FIFO reopened through /proc/self/fd is the same pipe, even
     * when a racing delete has unlinked its path). Only asked once the init has ended.
     */
    private static boolean startByteUnread(int fifoFd) {
        int rd;
        try {
            rd = Libc.open("/proc/self/fd/" + fifoFd, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        } catch (SysException e) {
            return false; // cannot tell: take it as started, as before
        }
        try {
            return Libc.read(rd, new byte[1], 1) == 1;
        } catch (SysException e) {
            return false; // EAGAIN: the init took it
        } finally {
            Libc.close(rd);
        }
    }

    public void state(String id, OutputStream out) throws LifecycleException, IOException {
        state(id, out, false);
    }

    /** The state; with {@code allowUnknown}, status unknown when liveness cannot be decided (see StateStore.status). */
    public void state(String id, OutputStream out, boolean allowUnknown) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        String status = store.status(r, allowUnknown);
        StateWriter.write(stateOf(r, status), out);
        keep(r);
    }

    /** The containers under the root, with their current status. */
    public java.util.List<State> list() throws IOException {
        java.util.List<State> out = new java.util.ArrayList<>();
        if (!java.nio.file.Files.isDirectory(store.root())) {
            return out;
        }
        try (var dirs = java.nio.file.Files.list(store.root())) {
            for (Path d : dirs.sorted().toList()) {
                if (!java.nio.file.Files.exists(d.resolve("state.json"))) {
                    continue; // being created, or not a container
                }
                StateStore.Record r = store.load(d.getFileName().toString());
                String status = store.status(r);
                out.add(stateOf(r, status));
            }
        }
        return out;
    }

    /** The pids of the container's processes (empty when it is stopped). */
    public java.util.List<Integer> processes(String id) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        String status = store.status(r);
        if (status.equals("stopped") || r.pid() == 0) {
            return java.util.List.of();
        }
        keep(r);
        return members(r);
    }

    /**
     * The container's processes: by a scan for its recorded namespace (which finds them after
     * its init has ended, when it has no pid namespace of its own), else for its init's.
     */
    private java.util.List<Integer> members(StateStore.Record r) throws IOException {
        if (!r.init().alive() && r.namespace().startsWith("mnt:")) {
            // Its namespace may be gone and its inode number another container's by now: the cgroup is exact.
            dev.isthmus.cgroup.Cgroup cg = dev.isthmus.cgroup.ContainerCgroup.recorded(store.dir(r.id()));
            if (cg != null) {
                return cg.pids().stream().map(Long::intValue).sorted().toList();
            }
        }
        if (!r.namespace().isEmpty()) {
            return dev.isthmus.proc.NamespaceScan.scan(Path.of("/proc"), r.namespace()).pids();
        }
        if (!r.init().alive()) {
            return java.util.List.of();
        }
        try {
            return dev.isthmus.proc.NamespaceScan.members(r.pid());
        } catch (IOException e) {
            return java.util.List.of(r.pid()); // it shares every namespace with the runtime: only its init is known
        }
    }

    /** kill --all: {@code signal} to every process of the container found by the namespace scan. */
    public void killAll(String id, int signal) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        if (store.status(r).equals("stopped")) {
            throw new LifecycleException("cannot kill container " + id + ": it is stopped");
        }
        if (r.pid() == 0) {
            throw new LifecycleException("cannot kill container " + id + ": it has no process until start (created in exec mode)");
        }
        signalAll(r, signal);
        keep(r);
    }

    private void signalAll(StateStore.Record r, int signal) throws IOException {
        for (int pid : members(r)) {
            int fd = Libc.pidfdOpen(pid);
            if (fd >= 0) {
                Libc.pidfdSendSignal(fd, signal); // ESRCH: it ended meanwhile
                Libc.close(fd);
            }
        }
    }

    public void kill(String id, int signal) throws LifecycleException, IOException {
        StateStore.Record r = load(id);
        String status = store.status(r);
        if (status.equals("stopped")) {
            throw new LifecycleException("cannot kill container " + id + ": it is stopped");
        }
        if (r.pid() == 0) {
            throw new LifecycleException("cannot kill container " + id + ": it has no process until start (created in exec mode)");
        }
        int pidfd = openInit(r);
        if (pidfd < 0) {
            throw new LifecycleException("cannot kill container " + id + ": its init has ended but processes of its mount namespace "
                    + "remain; signal them with kill --all");
        }
        try {
            int e = Libc.pidfdSendSignal(pidfd, signal);
            if (e < 0) {
                throw new LifecycleException("kill container " + id + ": " + dev.isthmus.sys.Errno.describe(-e));
            }
        } finally {
            Libc.close(pidfd);
        }
        keep(r);
    }

    public void delete(String id, boolean force) throws LifecycleException, IOException {
        if (force && !java.nio.file.Files.exists(store.dir(id).resolve("state.json"))) {
            // As runc: forcing the delete of what is already gone (or half made) succeeds. A
            // create killed before it recorded the container left at most its cgroup (recorded
            // before it was made) with the init in it, which ends by itself (its commit pipe closed).
            if (java.nio.file.Files.isDirectory(store.dir(id))) {
                dev.isthmus.cgroup.ContainerCgroup.release(store.dir(id));
            }
            store.remove(id);
            return;
        }
        StateStore.Record r = load(id);
        String status = store.status(r);
        if ((status.equals("running") || status.equals("paused")) && !force) {
            throw new LifecycleException("cannot delete container " + id + ": it is running (stop it first, or use --force)");
        }
        if (!status.equals("stopped")) {
            // created (a parked init) or forced: kill it and wait until it is gone
            int pidfd = openInit(r);
            if (pidfd >= 0) {
                try {
                    Libc.pidfdSendSignal(pidfd, SIGKILL);
                    dev.isthmus.cgroup.ContainerCgroup.thaw(store.dir(id)); // a frozen init dies only once thawed
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (Libc.pollIn(new int[] {pidfd}, 100).length == 0 && System.nanoTime() < deadline) {
                        // a pidfd becomes readable when its process exits
                    }
                } finally {
                    Libc.close(pidfd);
                }
            }
            if (r.namespace().startsWith("mnt:")) {
                // No pid namespace of its own: the kernel does not end the rest with the init.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!store.status(r).equals("stopped")) {
                    if (System.nanoTime() > deadline) {
                        throw new LifecycleException("cannot delete container " + id + ": processes of its mount namespace "
                                + "survive SIGKILL: " + members(r));
                    }
                    signalAll(r, SIGKILL);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new LifecycleException("delete of " + id + " interrupted");
                    }
                }
            }
        }
        Config config = bundleConfig(r);
        if (config != null) {
            HostMounts.release(Path.of(r.bundle()), config); // a container without a mount namespace of its own
            poststopHooks(r, config);
        }
        dev.isthmus.cgroup.ContainerCgroup.release(store.dir(id));
        store.remove(id);
    }

    /**
     * Namespaces an exec joins when the container's differ from the runtime's: /proc/PID/ns name
     * and CLONE_NEW* flag. A class of its own so that only exec initialises the FFM bindings the
     * flags come from (state, kill and delete never link a native call they do not make).
     */
    private static final class ExecNamespaces {
        static final String[] NS_NAMES = {"user", "mnt", "uts", "ipc", "net", "cgroup"};
        static final long[] NS_FLAGS = {dev.isthmus.sys.K.CLONE_NEWUSER, dev.isthmus.sys.K.CLONE_NEWNS,
                dev.isthmus.sys.K.CLONE_NEWUTS, dev.isthmus.sys.K.CLONE_NEWIPC, dev.isthmus.sys.K.CLONE_NEWNET,
                dev.isthmus.sys.K.CLONE_NEWCGROUP};
    }

    /**
     * Runs {@code process} in running container {@code id}, in all of its namespaces. With
     * {@code detach}, returns 0 once the process has exec'd; otherwise waits and returns its status.
     * The caller's fds 3 to 2 + {@code preserveFds} stay open into it (runc's --preserve-fds), and
     * {@code addCaps} join its bounding, effective and permitted sets (runc's --cap; ambient too
     * when its inheritable set is not empty).
     */
    public int exec(String id, dev.isthmus.spec.Process process, java.util.List<String> addCaps, Path pidFile, Path consoleSocket,
            boolean detach, int preserveFds) throws LifecycleException, IOException {
        if (process.terminal() != (consoleSocket != null)) {
            throw new LifecycleException(process.terminal() ? "exec: a process with a terminal needs --console-socket"
                    : "exec: --console-socket given for a process without a terminal");
        }
        StateStore.Record r = load(id);
        String status = store.status(r);
        if (!status.equals("running")) {
            throw new LifecycleException("cannot exec in container " + id + ": it is " + status + ", not running");
        }
        Config config = bundleConfig(r);
        if (config == null) {
            throw new LifecycleException("cannot exec in container " + id + ": its config cannot be read");
        }
        process = withAddedCapabilities(withContainerDefaults(process, config.process()), addCaps);
        long join = namespacesToJoin(r.pid(), true);
        boolean joinPid = !sameNamespace("pid", r.pid());
        // A plain user may not setns(CLONE_NEWPID) from the JVM (that needs CAP_SYS_ADMIN in its
        // own user namespace): the child joins the pid namespace with the user namespace through
        // the pidfd, and forks the process that runs (runc's nsexec does the same).
        boolean fork = joinPid && dev.isthmus.sys.Rootless.euid() != 0;
        if (fork) {
            joinPid = false;
        }
        dev.isthmus.plan.Program program;
        seccompOnDisk();
        try {
            program = fork ? Planner.planForkingExec(config, Path.of(r.bundle()), process, join, preserveFds)
                    : Planner.planExec(config, Path.of(r.bundle()), process, join, preserveFds);
        } catch (PlanException e) {
            throw new LifecycleException(e.getMessage());
        }
        // The process joins the container's cgroups before its first step, as the init did.
        dev.isthmus.cgroup.Cgroup cg = dev.isthmus.cgroup.ContainerCgroup.recorded(store.dir(id));
        if (cg != null) {
            program = dev.isthmus.plan.ParentSync.of(program);
        }
        int pidfd = openInit(r);
        if (pidfd < 0) {
            throw new LifecycleException("cannot exec in container " + id + ": it stopped");
        }
        Spawner.Launch launch;
        dev.isthmus.sys.Pty pty = null;
        int slave = -1;
        try {
            long[] slots = new long[dev.isthmus.plan.Step.SLOTS];
            slots[dev.isthmus.plan.Program.TARGET] = pidfd;
            if (fork) {
                slots[dev.isthmus.plan.Program.FIFO] = dev.isthmus.plan.Program.FORK_MARK;
            }
            if (consoleSocket != null) {
                // the container's own pty (tty names /dev/pts/N of the container), else one of ours
                pty = dev.isthmus.sys.Pty.inContainer(r.pid());
                if (pty == null) {
                    pty = dev.isthmus.sys.Pty.open();
                }
                slave = pty.openSlave();
                slots[dev.isthmus.plan.Program.CONSOLE] = slave;
            }
            launch = Spawner.launchInto(program, slots, pidfd, joinPid);
            if (pty != null) {
                dev.isthmus.sys.ConsoleSocket.send(consoleSocket, pty.master(), pty.slavePath());
            }
        } catch (SysException e) {
            throw new LifecycleException("exec in container " + id + ": " + e.getMessage());
        } finally {
            Libc.close(pidfd);
            Libc.close(slave);
            if (pty != null) {
                pty.close(); // the caller has the master now
            }
        }
        int child = launch.pidfd();
        try (dev.isthmus.sys.SignalForwarding forwarding = detach ? null : dev.isthmus.sys.SignalForwarding.install()) {
            if (forwarding != null) {
                forwarding.target(child);
            }
            int execPid = launch.pid();
            try {
                if (fork) {
                    execPid = launch.awaitForkedExec(cg == null ? null : cg::add, Planner.forkEndStep(program));
                    int forkedFd = Libc.pidfdOpen(execPid); // this process's child (CLONE_PARENT): no pid reuse before it is reaped
                    if (forkedFd < 0) {
                        throw new LifecycleException("exec in container " + id + ": pidfd_open of the forked process " + execPid + ": "
                                + dev.isthmus.sys.Errno.describe(-forkedFd));
                    }
                    Libc.close(child); // the intermediate's, reaped
                    child = forkedFd;
                    if (forwarding != null) {
                        forwarding.target(child);
                    }
                } else {
                    launch.awaitExec(cg == null ? null : cg::add);
                }
            } catch (SpawnException e) {
                throw new LifecycleException(e.getMessage());
            } finally {
                launch.close();
            }
            if (pidFile != null) {
                Run.writePidFile(pidFile, execPid);
            }
            return detach ? 0 : Libc.waitPidfd(child, false).shellStatus();
        } finally {
            Libc.close(child);
        }
    }

    /**
     * An exec'd process gets what the container's process has where its own process object says
     * nothing (as runc exec): its capabilities and no_new_privs, so `exec` never gives more
     * privilege than the container's init has; its AppArmor profile and SELinux label, so it is
     * confined as the init is; its rlimits and oom_score_adj, so it does not escape the limits the
     * config sets by being started from the runtime's (the caller's) own.
     */
    static dev.isthmus.spec.Process withContainerDefaults(dev.isthmus.spec.Process p, dev.isthmus.spec.Process init) {
        if (init == null) {
            return p;
        }
        return new dev.isthmus.spec.Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(), p.cwd(),
                p.capabilities() != null ? p.capabilities() : init.capabilities(),
                p.rlimits().isEmpty() ? init.rlimits() : p.rlimits(),
                p.noNewPrivileges() || init.noNewPrivileges(),
                blank(p.apparmorProfile()) ? init.apparmorProfile() : p.apparmorProfile(),
                p.oomScoreAdj() != null ? p.oomScoreAdj() : init.oomScoreAdj(),
                blank(p.selinuxLabel()) ? init.selinuxLabel() : p.selinuxLabel(),
                p.ioPriority(), p.scheduler(), p.execCPUAffinity());
    }

    /** {@code p} with {@code add} in its bounding, effective and permitted sets (and ambient, when it has inheritable ones). */
    static dev.isthmus.spec.Process withAddedCapabilities(dev.isthmus.spec.Process p, java.util.List<String> add) {
        if (add.isEmpty()) {
            return p;
        }
        dev.isthmus.spec.Capabilities c = p.capabilities() != null ? p.capabilities()
                : new dev.isthmus.spec.Capabilities(java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(),
                        java.util.List.of());
        dev.isthmus.spec.Capabilities with = new dev.isthmus.spec.Capabilities(union(c.bounding(), add), union(c.effective(), add),
                c.inheritable(), union(c.permitted(), add), c.inheritable().isEmpty() ? c.ambient() : union(c.ambient(), add));
        return new dev.isthmus.spec.Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(), p.cwd(), with,
                p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel(), p.ioPriority(),
                p.scheduler(), p.execCPUAffinity());
    }

    private static java.util.List<String> union(java.util.List<String> a, java.util.List<String> b) {
        java.util.LinkedHashSet<String> u = new java.util.LinkedHashSet<>(a);
        u.addAll(b);
        return java.util.List.copyOf(u);
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    /** The CLONE_NEW* flags of {@code pid}'s namespaces that differ from the runtime's (mount only when asked). */
    private static long namespacesToJoin(int pid, boolean mount) {
        long join = 0;
        for (int i = 0; i < ExecNamespaces.NS_NAMES.length; i++) {
            if ((mount || !ExecNamespaces.NS_NAMES[i].equals("mnt")) && !sameNamespace(ExecNamespaces.NS_NAMES[i], pid)) {
                join |= ExecNamespaces.NS_FLAGS[i];
            }
        }
        return join;
    }

    private State stateOf(StateStore.Record r, String status) {
        return new State(DefaultConfigs.OCI_VERSION, r.id(), status, status.equals("stopped") ? 0 : r.pid(), r.bundle(), r.rootfs(),
                r.created(), r.owner(), r.annotations());
    }

    /**
     * Runs one lifecycle point's hooks; in the container (through the init's pidfd) when
     * {@code inContainer}, joining its mount namespace only when {@code withMount}.
     */
    private void hooks(String point, java.util.List<dev.isthmus.spec.Hook> hooks, StateStore.Record r, String status,
            boolean inContainer, boolean withMount) throws HookRunner.HookException {
        if (hooks.isEmpty()) {
            return;
        }
        if (!inContainer) {
            HookRunner.run(point, hooks, stateOf(r, status), -1, 0, false);
            return;
        }
        int pidfd = openInit(r);
        if (pidfd < 0) {
            throw new HookRunner.HookException(point + " hooks: the container's init is gone");
        }
        try {
            HookRunner.run(point, hooks, stateOf(r, status), pidfd, namespacesToJoin(r.pid(), withMount),
                    !sameNamespace("pid", r.pid()));
        } finally {
            Libc.close(pidfd);
        }
    }

    /** The config's hooks; none when the config or its hooks are absent. */
    private static dev.isthmus.spec.Hooks hooksOf(Config config) {
        return config != null && config.hooks() != null ? config.hooks()
                : new dev.isthmus.spec.Hooks(java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(),
                        java.util.List.of(), java.util.List.of());
    }

    /**
     * The container's config after create: the snapshot taken at create (a container from `run`
     * has none: its bundle's); null, with a warning, when it cannot be read any more.
     */
    private Config bundleConfig(StateStore.Record r) {
        Path snapshot = store.dir(r.id()).resolve("config.json");
        try {
            return ConfigReader.read(java.nio.file.Files.exists(snapshot) ? snapshot : Path.of(r.bundle()).resolve("config.json"));
        } catch (ConfigException e) {
            System.err.println("isthmus: warning: " + e.getMessage() + "; its hooks are not run");
            return null;
        }
    }

    private static boolean sameNamespace(String name, int pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns", name))
                    .equals(java.nio.file.Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", name)));
        } catch (IOException e) {
            return true; // a namespace type this kernel lacks: nothing to join
        }
    }

    private StateStore.Record load(String id) throws LifecycleException, IOException {
        StateStore.Record r;
        try {
            r = store.load(id);
        } catch (IllegalArgumentException e) {
            throw new LifecycleException(e.getMessage());
        }
        // An exec-mode container unshares after it was recorded: its namespace is learnt while it
        // lives (and kept by the calls that succeed, see keep), so that its processes can still be
        // found once it has ended.
        return r.withNamespaceLearnt();
    }

    /**
     * Records what {@link #load} learnt of {@code r} (its namespace), once an operation on it has
     * succeeded: a refused operation changes nothing, not even this.
     */
    private void keep(StateStore.Record r) {
        try {
            if (!r.namespace().isEmpty() && store.load(r.id()).namespace().isEmpty()) {
                store.save(r);
            }
        } catch (IOException | IllegalArgumentException e) {
            // a read-only state directory, or deleted meanwhile: the next call learns it again
        }
    }

    /** A pidfd of the container's init, checked against its start time after opening; -1 when it is gone. */
    private static int openInit(StateStore.Record r) {
        int pidfd = Libc.pidfdOpen(r.pid());
        if (pidfd < 0) {
            return -1;
        }
        if (!r.init().alive()) { // the pid was reused between our check and pidfd_open
            Libc.close(pidfd);
            return -1;
        }
        return pidfd;
    }
}
