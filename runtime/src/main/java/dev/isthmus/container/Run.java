package dev.isthmus.container;

import dev.isthmus.plan.Host;
import dev.isthmus.plan.PlanException;
import dev.isthmus.plan.Planner;
import dev.isthmus.plan.Program;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.console.ConsoleRelay;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.Pty;
import dev.isthmus.sys.SignalForwarding;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.SysException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * `run` in the foreground: plan, spawn, follow to execve, forward signals, wait, and return the
 * container's status (128 + N when it was killed by signal N; 127 when its program cannot be
 * executed).
 */
public final class Run {
    /** Exit status when the container's program cannot be executed (as a shell and runc do). */
    public static final int EXEC_FAILED = 127;

    private final String id;
    private final Path bundle;
    private final Path pidFile;
    private final Planner.Options options;
    private final StateStore store;
    private final boolean keep;

    /**
     * @param store where the running container is recorded (state and list see it), or null
     * @param keep  leave the record (status stopped) when the container ends, as runc run --keep
     */
    public Run(String id, Path bundle, Path pidFile, Planner.Options options, StateStore store, boolean keep) {
        this.id = id;
        this.bundle = bundle;
        this.pidFile = pidFile;
        this.options = options;
        this.store = store;
        this.keep = keep;
    }

    public int execute(boolean dryRun, PrintStream out, PrintStream err) {
        Program program;
        Planner.Parked parked = null;
        Config config;
        dev.isthmus.cgroup.ContainerCgroup cgroup;
        try {
            ContainerId.check(id);
            config = ConfigReader.read(bundle.resolve("config.json"));
            RootlessConfig.check(config);
            cgroup = dev.isthmus.cgroup.ContainerCgroup.prepare(id, config);
            if (!dryRun) {
                Lifecycle.seccompOnDisk();
            }
            Planner.Options options = this.options.withCgroupView(cgroup.view()); // a "cgroup" mount shows the container's own
            program = Planner.plan(config, bundle, Host.LIVE, options);
            program = dev.isthmus.plan.ParentSync.of(program); // placed in its cgroups before its first step
            if (!dryRun && store != null && (hasHooks(config) || config.process().terminal())) {
                // Hooks need a point between set-up and the program: the parked init of create/start;
                // so does a console made in the container's devpts (its master is taken at READY).
                parked = dev.isthmus.plan.ParentSync.of(Planner.planParked(config, bundle, Host.LIVE, options, store.fifo(id)));
            }
        } catch (IOException e) {
            err.println("isthmus: reading the host's cgroups: " + e.getMessage());
            return 1;
        } catch (ConfigException | PlanException | IllegalArgumentException e) {
            err.println("isthmus: " + e.getMessage());
            return 1;
        }
        if (dryRun) {
            for (String line : program.listing(Planner.cloneFlagNames(program.cloneFlags()))) {
                out.println(line);
            }
            return 0;
        }
        if (store != null) {
            try {
                store.claim(id, bundle);
            } catch (IllegalArgumentException | IOException e) {
                err.println("isthmus: " + e.getMessage());
                return 1;
            }
        }
        dev.isthmus.cgroup.Cgroup made = null;
        Path scratch = null;
        try {
            // Without a store the cgroup record goes to a private directory, removed at the end.
            Path recordDir = store != null ? store.dir(id) : (scratch = Files.createTempDirectory("isthmus-run-"));
            made = cgroup.make(recordDir);
        } catch (IOException | IllegalArgumentException e) {
            err.println("isthmus: " + e.getMessage());
            cleanUp(scratch, err);
            if (store != null) {
                try {
                    store.remove(id);
                } catch (IOException r) {
                    err.println("isthmus: warning: removing the state of " + id + ": " + r.getMessage());
                }
            }
            return 1;
        }
        this.cgroup = made;
        try {
            return launchAndFollow(program, parked, config, err);
        } finally {
            if (!keep || store == null) {
                HostMounts.release(bundle, config); // a container without a mount namespace of its own
                dev.isthmus.cgroup.ContainerCgroup.release(store != null ? store.dir(id) : scratch);
            }
            cleanUp(scratch, err);
            if (store != null && !keep) {
                try {
                    store.remove(id);
                } catch (IOException e) {
                    err.println("isthmus: warning: removing the state of " + id + ": " + e.getMessage());
                }
            }
        }
    }

    /** The console's pty and its relay to this process's stdio, when the container has a terminal. */
    private Pty pty;
    private ConsoleRelay relay;

    private int launchAndFollow(Program program, Planner.Parked parked, Config config, PrintStream err) {
        int pidfd = -1;
        boolean inContainer = parked != null && parked.consoleInContainer();
        // The forwarder is removed before the pidfd is closed: a late signal must not reach
        // whatever reuses the fd number.
        try (SignalForwarding forwarding = SignalForwarding.install()) {
            Spawner.Launch launch;
            int slave = -1;
            try {
                if (inContainer) {
                    // a placeholder whose number the init's pty master takes (see Lifecycle.create)
                    slave = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
                    placeholder = slave;
                } else if (config.process().terminal()) {
                    pty = Pty.open();
                    slave = pty.openSlave();
                }
                int pidNs = Lifecycle.openPidNamespace(config);
                try {
                    if (parked != null) {
                        Libc.mkfifo(store.fifo(id).toString(), 0600);
                        launch = Spawner.launchParked(parked, slave, store.fifo(id), pidNs);
                    } else {
                        launch = Spawner.launch(program, slave, -1, pidNs);
                    }
                } finally {
                    Libc.close(pidNs);
                }
            } catch (SysException | UnsupportedOperationException e) {
                err.println("isthmus: " + e.getMessage());
                return 1;
            } finally {
                if (!inContainer) {
                    Libc.close(slave); // the child has its own copy
                }
            }
            pidfd = launch.pidfd();
            forwarding.target(pidfd);
            if (pty != null) {
                startRelay(config);
            }
            return parked != null ? followParked(launch, config, err) : follow(launch, program, config, err);
        } finally {
            if (relay != null) {
                relay.close();
            } else if (pty != null) {
                pty.close();
            }
            Libc.close(placeholder);
            Libc.close(pidfd);
        }
    }

    /** The fd whose number the init's pty master takes, or -1. */
    private int placeholder = -1;

    private void startRelay(Config config) {
        var size = config.process().consoleSize();
        relay = ConsoleRelay.start(pty, size == null ? null : (int) size.height(), size == null ? null : (int) size.width());
    }

    /** The container's cgroup, made before launch; the child is moved in before its first step. */
    private dev.isthmus.cgroup.Cgroup cgroup;

    /** Removes the private directory that held the cgroup record of a run without a store. */
    private static void cleanUp(Path scratch, PrintStream err) {
        if (scratch != null) {
            try {
                Files.deleteIfExists(scratch.resolve(dev.isthmus.cgroup.Cgroup.RECORD));
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                err.println("isthmus: warning: " + e.getMessage());
            }
        }
    }

    /** Follows a launch to exec and then to its end; returns the exit status. */
    private int follow(Spawner.Launch launch, Program program, Config config, PrintStream err) {
        int pidfd = launch.pidfd();
        try {
            launch.awaitExec(cgroup == null ? null : cgroup::add);
        } catch (SpawnException e) {
            err.println("isthmus: " + e.getMessage());
            return e.execFailed(program) ? EXEC_FAILED : 1;
        } finally {
            launch.close();
        }
        dev.isthmus.sys.Seccomp.keepLast(); // the program runs under the filter
        if (store != null) {
            // Not reaped before waitid below, so even a container that already ended has an identity.
            dev.isthmus.proc.ProcessIdentity init = dev.isthmus.proc.ProcessIdentity.ofUnreaped(launch.pid());
            try {
                if (init != null) {
                    store.save(StateStore.Record.of(id, init, bundle, config));
                }
            } catch (IOException e) {
                err.println("isthmus: warning: recording the state of " + id + ": " + e.getMessage());
            }
        }
        if (pidFile != null) {
            try {
                writePidFile(pidFile, launch.pid());
            } catch (IOException e) {
                Libc.pidfdSendSignal(pidfd, 9);
                Libc.waitPidfd(pidfd, false);
                err.println("isthmus: --pid-file " + pidFile + ": " + e.getMessage());
                return 1;
            }
        }
        return Libc.waitPidfd(pidfd, false).shellStatus();
    }

    /** Whether the config has a hook of any of the six kinds. */
    private static boolean hasHooks(Config config) {
        dev.isthmus.spec.Hooks h = config.hooks();
        return h != null && !(h.prestart().isEmpty() && h.createRuntime().isEmpty() && h.createContainer().isEmpty()
                && h.startContainer().isEmpty() && h.poststart().isEmpty() && h.poststop().isEmpty());
    }

    /**
     * A run with hooks is create, start and delete in one process, through the same code: the
     * init parks on the exec FIFO once set up, {@link Lifecycle#createHooks} runs, {@link
     * Lifecycle#start} runs startContainer, releases the init and runs poststart, and {@link
     * Lifecycle#poststopHooks} runs once the container has ended. A failing create or start hook
     * kills the init and fails the run (the caller removes the cgroup and state); poststop then
     * runs only when the create hooks had passed, as `delete` would after a failed `start`.
     * With --keep, poststop is left to the `delete` of the kept container.
     */
    private int followParked(Spawner.Launch launch, Config config, PrintStream err) {
        int pidfd = launch.pidfd();
        try {
            launch.awaitExec(cgroup == null ? null : cgroup::add); // READY: set up, parked
            if (placeholder >= 0) {
                pty = Pty.adopt(Libc.pidfdGetfd(pidfd, placeholder)); // the console the init made in its devpts
                startRelay(config);
            }
        } catch (SpawnException | SysException e) {
            launch.commit(false);
            err.println("isthmus: " + e.getMessage());
            if (e instanceof SysException) {
                Libc.pidfdSendSignal(pidfd, 9);
                Libc.waitPidfd(pidfd, false);
            }
            return 1;
        } finally {
            launch.close();
        }
        Lifecycle lifecycle = new Lifecycle(store);
        StateStore.Record record = null;
        boolean created = false;
        try {
            dev.isthmus.proc.ProcessIdentity init = dev.isthmus.proc.ProcessIdentity.of(launch.pid());
            if (init == null) {
                throw new Lifecycle.LifecycleException("the container's init ended during create");
            }
            record = StateStore.Record.of(id, init, bundle, config);
            store.save(record);
            lifecycle.createHooks(record, config);
            created = true;
            if (pidFile != null) {
                writePidFile(pidFile, launch.pid());
            }
            if (!launch.commit(true)) { // recorded: the init may go on to the exec FIFO
                throw new Lifecycle.LifecycleException("the container's init ended during create");
            }
            dev.isthmus.sys.Seccomp.keepLast();
            lifecycle.start(id);
        } catch (Lifecycle.LifecycleException | HookRunner.HookException | IOException | SysException e) {
            launch.commit(false);
            err.println("isthmus: " + e.getMessage());
            Libc.pidfdSendSignal(pidfd, 9);
            Libc.waitPidfd(pidfd, false);
            if (created && !keep) {
                lifecycle.poststopHooks(record, config);
            }
            return 1;
        }
        int status = Libc.waitPidfd(pidfd, false).shellStatus();
        if (!keep) {
            lifecycle.poststopHooks(record, config);
        }
        return status;
    }

    /** Writes the pid to a temporary name beside {@code file} and renames it into place. */
    public static void writePidFile(Path file, int pid) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Files.writeString(tmp, Integer.toString(pid));
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
