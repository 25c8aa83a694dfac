package dev.isthmus.cli;

import dev.isthmus.plan.Planner;
import java.nio.file.Path;

/** The options create and run share (runc's). */
final class CreateOptions {
    Path bundle;

    Path pidFile;

    boolean noPivot;

    int preserveFds;

    boolean noNewKeyring;

    Path consoleSocket;

    /** Adds these options to a command's model. */
    void addTo(Model m) {
        m.option("-b --bundle", Path.class, "Path to the bundle (default: the current directory).", v -> bundle = v);
        m.option("--pid-file", Path.class, "Write the container's host pid to this file.", v -> pidFile = v);
        m.option("--no-pivot", boolean.class, "Use MS_MOVE and chroot instead of pivot_root.", v -> noPivot = v);
        m.option("--preserve-fds", int.class, "Pass this many fds after stderr (3, 4, ...) to the container.", v -> preserveFds = v);
        m.option("--no-new-keyring", boolean.class, "Accepted: isthmus never gives a container a new session keyring.",
                v -> noNewKeyring = v);
        m.option("--console-socket", Path.class, "A unix socket to receive the console pty's master (process.terminal).",
                v -> consoleSocket = v);
    }

    Planner.Options planOptions(boolean dieWithRuntime) {
        return new Planner.Options(noPivot, preserveFds, dieWithRuntime);
    }
}
