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

    @Option(names = {"-b", "--bundle"}, description = "Path to the bundle (default: the current directory).")
    Path bundle = Path.of(".");

    @Option(names = "--pid-file", description = "Write the container's host pid to this file.")
    Path pidFile;

    @Option(names = "--no-pivot", description = "Use MS_MOVE and chroot instead of pivot_root.")
    boolean noPivot;

    @Option(names = "--dry-run", description = "Print the spawn program, one system call per line, and run nothing.")
    boolean dryRun;

    @Option(names = {"-d", "--detach"}, description = "Create and start the container, then return (as create + start).")
    boolean detach;

    @Option(names = "--preserve-fds", description = "Pass this many fds after stderr (3, 4, ...) to the container.")
    int preserveFds;

    @Option(names = "--no-new-keyring", description = "Accepted: isthmus never gives a container a new session keyring.")
    boolean noNewKeyring;

    @Option(names = "--console-socket", description = "With --detach: a unix socket to receive the console pty's master.")
    Path consoleSocket;

    @Option(names = "--keep", description = "Keep the container's state (stopped) after it exits.")
    boolean keep;

    @picocli.CommandLine.ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ID", description = "The container ID.")
    String id;

    @Override
    public Integer call() throws Exception {
        if (detach) {
            dev.isthmus.container.Lifecycle lc = new dev.isthmus.container.Lifecycle(main.store());
            try {
                lc.create(id, bundle, pidFile, consoleSocket, new dev.isthmus.plan.Planner.Options(noPivot, preserveFds));
                lc.start(id);
                return 0;
            } catch (dev.isthmus.container.Lifecycle.LifecycleException e) {
                System.err.println("isthmus: " + e.getMessage());
                return 1;
            }
        }
        return new Run(id, bundle, pidFile, new dev.isthmus.plan.Planner.Options(noPivot, preserveFds), dryRun ? null : main.store(), keep)
                .execute(dryRun, System.out, System.err);
    }
}
