package dev.isthmus.cli;

import dev.isthmus.container.Run;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `isthmus run`: create and start a container in the foreground and exit with its status. */
@Command(name = "run", description = "Create and run a container, wait for it, and exit with its status.")
final class RunCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    CreateOptions opts;

    @Option(names = "--dry-run", description = "Print the spawn program, one system call per line, and run nothing.")
    boolean dryRun;

    @Option(names = {"-d", "--detach"}, description = "Create and start the container, then return (as create + start).")
    boolean detach;

    @Option(names = "--keep", description = "Keep the container's state (stopped) after it exits.")
    boolean keep;

    /** --state-mode=exec: this process becomes the container; nothing of the runtime remains. */
    private int execMode() throws Exception {
        if (detach || keep || opts.consoleSocket != null) {
            System.err.println("isthmus: --state-mode=exec: run becomes the container: -d, --keep and --console-socket do not apply");
            return 1;
        }
        dev.isthmus.plan.Program program;
        dev.isthmus.spec.Config config;
        dev.isthmus.cgroup.ContainerCgroup cgroup;
        try {
            dev.isthmus.container.ContainerId.check(id);
            config = dev.isthmus.spec.ConfigReader.read(opts.bundle.resolve("config.json"));
            if (config.process().terminal()) {
                System.err.println("isthmus: --state-mode=exec: process.terminal is not supported (the caller's terminal is inherited)");
                return 1;
            }
            program = dev.isthmus.plan.Planner.planExecMode(config, opts.bundle, dev.isthmus.plan.Host.LIVE,
                    opts.planOptions(false));
            cgroup = dev.isthmus.cgroup.ContainerCgroup.prepare(id, config);
        } catch (dev.isthmus.spec.ConfigException | dev.isthmus.plan.PlanException | IllegalArgumentException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        }
        if (dryRun) {
            program.listing("(none: exec mode runs in this process)").forEach(System.out::println);
            return 0;
        }
        int self = (int) ProcessHandle.current().pid(); // the container keeps this pid and its start time
        // Recorded before this process becomes the container, so state, kill and delete (what
        // Slurm's oci.conf calls beside RunTimeRun) find it; nothing is left to remove the
        // record when it ends: delete does.
        dev.isthmus.container.StateStore store = main.store();
        try {
            store.claim(id, opts.bundle);
            dev.isthmus.proc.ProcessIdentity me = dev.isthmus.proc.ProcessIdentity.of(self);
            store.save(dev.isthmus.container.StateStore.Record.of(id, me, opts.bundle, config));
            // made and recorded now; the process enters it as its image's first steps (not as the JVM)
            program = dev.isthmus.plan.ParentSync.selfPlaced(program, cgroup.make(store.dir(id)).procsFiles());
            if (opts.pidFile != null) {
                dev.isthmus.container.Run.writePidFile(opts.pidFile, self);
            }
            dev.isthmus.sys.ExecMode.become(program);
        } catch (IllegalArgumentException | java.io.IOException | dev.isthmus.sys.SysException e) {
            System.err.println("isthmus: " + e.getMessage());
        }
        dev.isthmus.cgroup.ContainerCgroup.release(store.dir(id));
        store.remove(id); // only reached when this process did not become the container
        return 1;
    }

    @picocli.CommandLine.ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ID", description = "The container ID.")
    String id;

    @Override
    public Integer call() throws Exception {
        switch (main.stateMode) {
            case "spec", "bundle" -> { }
            case "exec" -> {
                return execMode();
            }
            default -> {
                System.err.println("isthmus: --state-mode: " + main.stateMode + " is not implemented (spec and exec are)");
                return 1;
            }
        }
        if (detach) {
            dev.isthmus.container.Lifecycle lc = new dev.isthmus.container.Lifecycle(main.store());
            try {
                lc.create(id, opts.bundle, opts.pidFile, opts.consoleSocket, opts.planOptions(false));
                lc.start(id);
                return 0;
            } catch (dev.isthmus.container.Lifecycle.LifecycleException e) {
                System.err.println("isthmus: " + e.getMessage());
                return 1;
            }
        }
        // In the foreground this runtime supervises the container: if it is killed, so is the container.
        return new Run(id, opts.bundle, opts.pidFile, opts.planOptions(true), dryRun ? null : main.store(), keep)
                .execute(dryRun, System.out, System.err);
    }
}
