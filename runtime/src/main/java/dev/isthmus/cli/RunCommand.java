package dev.isthmus.cli;

import dev.isthmus.container.Run;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** `isthmus run`: create and start a container in the foreground and exit with its status. */
final class RunCommand implements Callable<Integer> {
    final Main main;

    RunCommand(Main main) {
        this.main = main;
    }

    CommandSpec model() {
        Model m = Model.command("run", this, "Create and run a container, wait for it, and exit with its status.");
        opts.addTo(m);
        m.option("--dry-run", boolean.class, "Print the spawn program, one system call per line, and run nothing.", v -> dryRun = v);
        m.option("-d --detach", boolean.class, "Create and start the container, then return (as create + start).", v -> detach = v);
        m.option("--keep", boolean.class, "Keep the container's state (stopped) after it exits.", v -> keep = v);
        m.positional("0", "1", "ID", "The container ID.", String.class, v -> id = v);
        return m.spec();
    }

    final CreateOptions opts = new CreateOptions();

    boolean dryRun;

    boolean detach;

    boolean keep;

    /**
     * --state-mode=exec: exec-mode create then start in this process, which becomes the
     * container; nothing of the runtime remains.
     */
    private int execMode() throws Exception {
        if (detach || keep || opts.consoleSocket != null) {
            System.err.println("isthmus: --state-mode=exec: run becomes the container: -d, --keep and --console-socket do not apply");
            return 1;
        }
        if (dryRun) {
            try {
                dev.isthmus.container.Lifecycle.execModeListing(id, opts.bundle, opts.planOptions(false)).forEach(System.out::println);
                return 0;
            } catch (dev.isthmus.container.Lifecycle.LifecycleException e) {
                System.err.println("isthmus: " + e.getMessage());
                return 1;
            }
        }
        dev.isthmus.container.Lifecycle lc = new dev.isthmus.container.Lifecycle(main.store());
        try {
            lc.createExecMode(id, opts.bundle, opts.pidFile, null, opts.planOptions(false));
        } catch (dev.isthmus.container.Lifecycle.LifecycleException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        }
        try {
            // Recorded before this process becomes the container, so state, kill and delete (what
            // Slurm's oci.conf calls beside RunTimeRun) find it; nothing is left to remove the
            // record when it ends: delete does.
            lc.startExecMode(id);
        } catch (dev.isthmus.container.Lifecycle.LifecycleException e) {
            System.err.println("isthmus: " + e.getMessage());
        }
        main.store().remove(id); // only reached when this process did not become the container
        return 1;
    }

    String id;

    @Override
    public Integer call() throws Exception {
        opts.bundle = main.bundle(id, opts.bundle);
        id = main.id(id);
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
