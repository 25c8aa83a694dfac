package dev.isthmus.cli;

import dev.isthmus.plan.Planner;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options create and run share (runc's), as one picocli mixin. */
final class CreateOptions {
    @Option(names = {"-b", "--bundle"}, description = "Path to the bundle (default: the current directory).")
    Path bundle;

    @Option(names = "--pid-file", description = "Write the container's host pid to this file.")
    Path pidFile;

    @Option(names = "--no-pivot", description = "Use MS_MOVE and chroot instead of pivot_root.")
    boolean noPivot;

    @Option(names = "--preserve-fds", description = "Pass this many fds after stderr (3, 4, ...) to the container.")
    int preserveFds;

    @Option(names = "--no-new-keyring", description = "Accepted: isthmus never gives a container a new session keyring.")
    boolean noNewKeyring;

    @Option(names = "--console-socket", description = "A unix socket to receive the console pty's master (process.terminal).")
    Path consoleSocket;

    Planner.Options planOptions(boolean dieWithRuntime) {
        return new Planner.Options(noPivot, preserveFds, dieWithRuntime);
    }
}
