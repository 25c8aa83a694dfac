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

    @Parameters(index = "0", paramLabel = "ID", description = "The container ID.")
    String id;

    @Override
    public Integer call() {
        return new Run(id, bundle, pidFile, noPivot).execute(dryRun, System.out, System.err);
    }
}
