package dev.isthmus.batch;

import dev.isthmus.cgroup.V2Placement;
import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Host;
import dev.isthmus.plan.PlanException;
import dev.isthmus.plan.Planner;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.Process;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.SysException;
import dev.isthmus.sys.Syscall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts many short containers from one JVM: the template bundle's config is read and planned
 * once, each {@link Task} patches its differences into that plan (the process part; a task with
 * its own hostname or mounts is planned from a patched config), at most {@code parallelism} run
 * at once, and one reaper thread waits on all their pidfds with poll(2). With linux.cgroupsPath
 * set, every task is born in that cgroup v2 directory (CLONE_INTO_CGROUP; on this host's hybrid
 * layout, the cgroup2 hierarchy at /sys/fs/cgroup/unified), so no pid is migrated. A template
 * with linux.resources gets one cgroup for the whole batch instead ({@link BatchCgroup}), made
 * before the first task: its limits hold for the running tasks together.
 *
 * <p>Embeddable: {@link #submit} returns a future with the task's {@link TaskResult}.
 */
public final class Launcher implements AutoCloseable {

    private final Config template;
    private final Path bundle;
    private final Host host;
    private final Program program;
    private final Semaphore slots;
    private final ExecutorService launchers;
    private final Reaper reaper = new Reaper();
    private final AtomicInteger running = new AtomicInteger();
    /** Where tasks are born when linux.cgroupsPath is set and no resources are (CLONE_INTO_CGROUP), else null. */
    private final V2Placement cgroup;
    /** The batch's own cgroup when the template sets linux.resources, else null. */
    private final BatchCgroup batchCgroup;
    /** Whether this launcher thread has moved itself into batchCgroup's v1 directories. */
    private final ThreadLocal<Boolean> joined = ThreadLocal.withInitial(() -> false);
    private volatile boolean stopping;
    /** How long planning the template took (once per batch, in the constructor). */
    private final long planNanos;
    /** The template mount namespace the tasks join (slot TARGET), or -1. */
    private final int templateNs;

    public Launcher(Config template, Path bundle, int parallelism) throws PlanException, IOException {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.template = template;
        this.bundle = bundle.toAbsolutePath().normalize();
        this.host = Host.LIVE;
        long planStart = System.nanoTime();
        Planned planned = plan(template, this.bundle, host);
        this.program = planned.program();
        this.templateNs = planned.templateNs();
        this.planNanos = System.nanoTime() - planStart;
        this.slots = new Semaphore(parallelism);
        String cgroupsPath = template.linux() == null ? null : template.linux().cgroupsPath();
        int threads = Math.min(parallelism, Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            this.batchCgroup = BatchCgroup.wanted(template) ? BatchCgroup.make(template) : null;
            this.cgroup = batchCgroup != null || cgroupsPath == null || cgroupsPath.isEmpty() ? null : V2Placement.of(cgroupsPath);
            // Launching only blocks for clone-to-exec (vfork); two threads keep both cores busy.
            this.launchers = launcherThreads(threads, batchCgroup, joined);
        } catch (IOException | RuntimeException e) {
            if (templateNs >= 0) {
                Libc.close(templateNs); // nothing is left behind by a batch that does not start
            }
            throw e;
        }
        reaper.start();
    }

    /**
     * The launcher threads, started now. With a batch cgroup, each moves itself into its v1
     * directories before taking a task; when one cannot, the batch does not start (IOException
     * naming the directory) and the cgroup is removed.
     */
    private static ExecutorService launcherThreads(int threads, BatchCgroup batchCgroup, ThreadLocal<Boolean> joined) throws IOException {
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<IOException> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(threads);
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> Thread.ofPlatform().name("launcher-" + n.incrementAndGet()).daemon()
                        .unstarted(() -> {
                            try {
                                if (batchCgroup != null) {
                                    batchCgroup.join();
                                    joined.set(true);
                                }
                            } catch (IOException e) {
                                refused.add(e);
                            } finally {
                                started.countDown();
                            }
                            r.run();
                        }));
        pool.prestartAllCoreThreads();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refused.add(new IOException("interrupted while the launcher threads started"));
        }
        if (!refused.isEmpty()) {
            pool.shutdown();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (batchCgroup != null) {
                batchCgroup.close();
            }
            throw refused.peek();
        }
        return pool;
    }

    /** Queues {@code task}; the future completes when it has ended (or could not start). */
    public CompletableFuture<TaskResult> submit(Task task) {
        CompletableFuture<TaskResult> f = new CompletableFuture<>();
        launchers.execute(() -> launch(task, f));
        return f;
    }

    /** The tasks' program, and the template mount namespace they join (or -1). */
    private record Planned(Program program, int templateNs) {}

    /**
     * A template that splits gets a template mount namespace (Planner#planTemplate); one that
     * does not, or whose template namespace cannot be made here (the holder failed, its
     * namespace could not be opened), is planned for per-task set-up, so a batch never fails
     * where it did before: a config error then fails each task naming its step, as it always did.
     */
    private static Planned plan(Config template, Path bundle, Host host) throws PlanException {
        if (Planner.splitsIntoTemplate(template, host, Planner.Options.DEFAULT)) {
            // The holder's exec FIFO (never written: the holder is killed once its namespace is
            // open); not Files.createTempDirectory, whose random name costs a SecureRandom's seeding.
            Path scratch = null;
            try {
                scratch = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"),
                        "isthmus-batch-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
                Path fifo = scratch.resolve("exec.fifo");
                Libc.mkfifo(fifo.toString(), 0600);
                Planner.Template t = Planner.planTemplate(template, bundle, host, Planner.Options.DEFAULT, fifo);
                return new Planned(t.task(), templateNamespace(t.holder(), fifo));
            } catch (IOException | PlanException | SysException e) {
                // per-task set-up below
            } finally {
                if (scratch != null) {
                    try {
                        Files.deleteIfExists(scratch.resolve("exec.fifo"));
                        Files.deleteIfExists(scratch);
                    } catch (IOException e) {
                        // a directory left in java.io.tmpdir, empty or with a FIFO; nothing else
                    }
                }
            }
        }
        return new Planned(Planner.plan(template, bundle, host, Planner.Options.DEFAULT), -1);
    }

    /**
     * Makes the template mount namespace (Planner#planTemplate): its holder parks in it, set up;
     * the namespace's fd is opened and the holder killed and reaped, so no process of the batch
     * stays in it but the tasks.
     */
    private static int templateNamespace(Planner.Parked holder, Path fifo) throws PlanException {
        Spawner.Launch launch = Spawner.launchParked(holder, -1, fifo, -1);
        try {
            launch.awaitExec();
        } catch (SpawnException e) {
            Libc.close(launch.pidfd());
            throw new PlanException("mounts", "making the batch's template mount namespace: " + e.getMessage());
        }
        try {
            return Libc.open("/proc/" + launch.pid() + "/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC);
        } finally {
            launch.commit(false);
            Libc.pidfdSendSignal(launch.pidfd(), 9);
            Libc.waitPidfd(launch.pidfd(), false);
            Libc.close(launch.pidfd());
            launch.close();
        }
    }

    /** Whether the tasks join a template mount namespace (else each makes its whole own). */
    public boolean usesTemplateNamespace() {
        return templateNs >= 0;
    }

    /** Nanoseconds the template's plan took, once for the whole batch. */
    public long planNanos() {
        return planNanos;
    }

    /**
     * Launches the template {@code n} times, one at a time, with the stub's own timing of every
     * step ({@link LaunchProfile}), alternated with the floor: a bare clone3 + execve + reap of
     * the same program file (found on the host under the rootfs) with the config's namespaces and
     * no steps. Call it on a launcher with no task running.
     */
    public LaunchProfile.Result profile(int n) throws PlanException {
        Process t = template.process();
        String exe = hostPathOfProgram(t);
        // the namespaces of the template's config: a task joining a template copies a mount namespace too
        long floorFlags = program.cloneFlags() | (templateNs >= 0 ? dev.isthmus.sys.K.CLONE_NEWNS : 0);
        Program floor = new Program(floorFlags, List.of(Step.of(Syscall.EXECVE, "exec " + exe + " (the floor)",
                new Arg.Str(exe), new Arg.StrArray(t.args(), false), new Arg.StrArray(t.env(), true))), "", "", false, false);
        return LaunchProfile.measure(program, floor, cgroupFd(), slots(), n);
    }

    /** The template's program as a host path under its rootfs: the first of execvp's candidates (Planner#candidates) there. */
    private String hostPathOfProgram(Process t) throws PlanException {
        Path rootfs = bundle.resolve(template.root().path());
        String arg0 = t.args().getFirst();
        for (String c : Planner.candidates(arg0, t.env())) {
            Path candidate = rootfs.resolve(c.startsWith("/") ? c.substring(1) : c);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new PlanException("process.args[0]", arg0 + " is not on the config's PATH under the rootfs (for the profile's floor)");
    }

    /** Tasks running now. */
    public int running() {
        return running.get();
    }

    /** Stops launching (queued tasks end as not started) and sends {@code signal} to every running task. */
    public void interrupt(int signal) {
        stopping = true;
        reaper.signalAll(signal);
    }

    private void launch(Task task, CompletableFuture<TaskResult> f) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.complete(new TaskResult(task.id(), 0, 0, 0, "not started", 0, true));
            return;
        }
        if (stopping) {
            slots.release();
            f.complete(new TaskResult(task.id(), 0, 0, 0, "not started", 0, true));
            return;
        }
        long start = System.nanoTime();
        if (batchCgroup != null && !joined.get()) {
            // a pool thread that replaced one that died: its tasks would escape the batch's limits
            try {
                batchCgroup.join();
                joined.set(true);
            } catch (IOException e) {
                slots.release();
                f.complete(new TaskResult(task.id(), 0, 1, 0, e.getMessage(), 0, false));
                return;
            }
        }
        Program p;
        try {
            p = programFor(task);
        } catch (PlanException | RuntimeException e) {
            slots.release();
            f.complete(new TaskResult(task.id(), 0, 1, 0, e.getMessage(), System.nanoTime() - start, false));
            return;
        }
        Spawner.Launch launch;
        try {
            launch = Spawner.launch(p, slots(), cgroupFd());
        } catch (SysException e) {
            slots.release();
            f.complete(new TaskResult(task.id(), 0, 1, 0, e.getMessage(), System.nanoTime() - start, false));
            return;
        }
        try {
            launch.awaitExec();
        } catch (SpawnException e) {
            Libc.close(launch.pidfd());
            slots.release();
            f.complete(new TaskResult(task.id(), launch.pid(), e.execFailed(p) ? 127 : 1, 0, e.getMessage(),
                    System.nanoTime() - start, false));
            return;
        } finally {
            launch.close();
        }
        running.incrementAndGet();
        reaper.watch(new Running(task.id(), launch.pid(), launch.pidfd(), start, f));
    }

    /** The cgroup v2 directory tasks are cloned into (CLONE_INTO_CGROUP), or -1. */
    private int cgroupFd() {
        return batchCgroup != null ? batchCgroup.v2Fd() : cgroup != null ? cgroup.fd() : -1;
    }

    /** The batch's own cgroup directories (linux.resources set), or none. */
    public List<Path> batchCgroupDirs() {
        return batchCgroup == null ? List.of() : batchCgroup.dirs();
    }

    /** A task's initial slots: the template namespace's fd in TARGET (its program joins it there). */
    private long[] slots() {
        long[] slots = new long[Step.SLOTS];
        slots[dev.isthmus.plan.Program.CONSOLE] = -1;
        slots[dev.isthmus.plan.Program.TARGET] = templateNs;
        return slots;
    }

    /** The template's program with this task's differences. */
    public Program programFor(Task task) throws PlanException {
        if (task.args().isEmpty() && task.env().isEmpty() && task.cwd() == null && task.hostname() == null && task.binds().isEmpty()) {
            return program; // the template itself
        }
        Process t = template.process();
        List<String> args = task.args().isEmpty() ? t.args() : task.args();
        List<String> env = mergeEnv(t.env(), task.env());
        String cwd = task.cwd() == null ? t.cwd() : task.cwd();
        Process process = new Process(t.terminal(), t.consoleSize(), t.user(), args, t.commandLine(), env, cwd, t.capabilities(),
                t.rlimits(), t.noNewPrivileges(), t.apparmorProfile(), t.oomScoreAdj(), t.selinuxLabel(), t.ioPriority(),
                t.scheduler(), t.execCPUAffinity());
        if (task.hostname() == null && task.binds().isEmpty()) {
            return Planner.withProcess(program, template, bundle, host, process);
        }
        // its own hostname or mounts: planned whole, without the template namespace
        List<Mount> mounts = new ArrayList<>(template.mounts());
        for (Task.Bind b : task.binds()) {
            mounts.add(new Mount(b.destination(), b.source(), "bind", b.readonly() ? List.of("rbind", "ro") : List.of("rbind"),
                    List.of(), List.of()));
        }
        Config patched = new Config(template.ociVersion(), process, template.root(),
                task.hostname() == null ? template.hostname() : task.hostname(), template.domainname(), mounts, template.hooks(),
                template.annotations(), template.linux());
        return Planner.plan(patched, bundle, host, Planner.Options.DEFAULT);
    }

    static List<String> mergeEnv(List<String> base, List<String> add) {
        if (add.isEmpty()) {
            return base;
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : base) {
            byName.put(e.substring(0, Math.max(0, e.indexOf('='))), e);
        }
        for (String e : add) {
            byName.put(e.substring(0, Math.max(0, e.indexOf('='))), e);
        }
        return List.copyOf(byName.values());
    }

    /** Waits until every submitted task has ended, then stops the threads. */
    @Override
    public void close() throws InterruptedException, IOException {
        launchers.shutdown();
        while (!launchers.awaitTermination(1, TimeUnit.SECONDS)) {
            // queued launches still draining
        }
        reaper.finish();
        try {
            if (cgroup != null) {
                cgroup.close();
            }
            if (batchCgroup != null) {
                batchCgroup.close(); // the launcher threads have ended: its v1 directories are empty
            }
        } finally {
            if (templateNs >= 0) {
                Libc.close(templateNs);
            }
        }
    }

    private record Running(String id, int pid, int pidfd, long start, CompletableFuture<TaskResult> future) {}

    /** One thread polling the pidfds of all running tasks, plus a pipe that wakes it for new ones. */
    private final class Reaper extends Thread {
        private final Map<Integer, Running> byPidfd = new ConcurrentHashMap<>();
        private final int[] wake = Libc.pipe2(Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        private volatile boolean done;
        private volatile int interruptSignal;

        Reaper() {
            super("reaper");
            setDaemon(true);
        }

        void watch(Running r) {
            byPidfd.put(r.pidfd(), r);
            if (interruptSignal != 0) {
                Libc.pidfdSendSignal(r.pidfd(), interruptSignal);
            }
            poke();
        }

        void signalAll(int signal) {
            interruptSignal = signal;
            for (Running r : byPidfd.values()) {
                Libc.pidfdSendSignal(r.pidfd(), signal);
            }
        }

        void finish() throws InterruptedException {
            done = true;
            poke();
            join();
            Libc.close(wake[0]);
            Libc.close(wake[1]);
        }

        private void poke() {
            try {
                Libc.write(wake[1], new byte[] {1});
            } catch (SysException e) {
                // EAGAIN: the pipe is full, so the reaper has a wake-up pending anyway
            }
        }

        @Override
        public void run() {
            byte[] drain = new byte[256];
            while (!(done && byPidfd.isEmpty())) {
                Integer[] pidfds = byPidfd.keySet().toArray(new Integer[0]);
                int[] fds = new int[pidfds.length + 1];
                fds[0] = wake[0];
                for (int i = 0; i < pidfds.length; i++) {
                    fds[i + 1] = pidfds[i];
                }
                for (int i : Libc.pollIn(fds, 1000)) {
                    if (i == 0) {
                        try {
                            Libc.read(wake[0], drain, drain.length);
                        } catch (SysException e) {
                            // EAGAIN: drained by an earlier read
                        }
                        continue;
                    }
                    Running r = byPidfd.remove(fds[i]);
                    if (r == null) {
                        continue;
                    }
                    Libc.ExitStatus st = Libc.waitPidfd(r.pidfd(), false);
                    long wall = System.nanoTime() - r.start();
                    Libc.close(r.pidfd());
                    running.decrementAndGet();
                    slots.release();
                    r.future().complete(new TaskResult(r.id(), r.pid(), st.code(), st.signal(), null, wall, interruptSignal != 0));
                }
            }
        }
    }
}
