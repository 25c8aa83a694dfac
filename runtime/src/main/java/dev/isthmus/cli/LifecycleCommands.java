package dev.isthmus.cli;

import dev.isthmus.container.Lifecycle;
import dev.isthmus.spec.Signals;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The OCI lifecycle verbs, each a thin shell over {@link Lifecycle}. */
final class LifecycleCommands {
    private LifecycleCommands() {}

    /** Runs an operation: 0, or 1 with "isthmus: reason" on stderr. */
    private static int run(Op op) throws Exception {
        try {
            op.run();
            return 0;
        } catch (Lifecycle.LifecycleException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        }
    }

    @FunctionalInterface
    private interface Op {
        void run() throws Exception;
    }

    @Command(name = "create", description = "Create a container: set it up and park its init until start.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = {"-b", "--bundle"}, description = "Path to the bundle (default: the current directory).")
        Path bundle = Path.of(".");

        @Option(names = "--pid-file", description = "Write the init's host pid to this file.")
        Path pidFile;

        @Option(names = "--no-pivot", description = "Use MS_MOVE and chroot instead of pivot_root.")
        boolean noPivot;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return run(() -> new Lifecycle(main.store()).create(id, bundle, pidFile, noPivot));
        }
    }

    @Command(name = "start", description = "Start a created container: its init execs the user program.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return run(() -> new Lifecycle(main.store()).start(id));
        }
    }

    @Command(name = "state", description = "Print a container's state as JSON.")
    static final class State implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return run(() -> {
                new Lifecycle(main.store()).state(id, System.out);
                System.out.println();
            });
        }
    }

    @Command(name = "kill", description = "Send a signal (default SIGTERM) to a container's init.")
    static final class Kill implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SIGNAL", description = "A name (TERM, SIGTERM) or a number.")
        String signal = "SIGTERM";

        @Override
        public Integer call() throws Exception {
            int sig = Signals.parse(signal);
            if (sig < 1) {
                System.err.println("isthmus: unknown signal: " + signal);
                return 1;
            }
            return run(() -> new Lifecycle(main.store()).kill(id, sig));
        }
    }

    @Command(name = "delete", description = "Delete a container (a running one only with --force).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = {"-f", "--force"}, description = "Kill the container first if it is running.")
        boolean force;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return run(() -> new Lifecycle(main.store()).delete(id, force));
        }
    }
}
