package dev.isthmus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: the runc-compatible command line. */
@Command(name = "isthmus", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A stateless-capable OCI container runtime on Project Panama.",
        subcommands = {RunCommand.class, SpecCommand.class, BatchCommand.class, BenchCommand.class, LifecycleCommands.Create.class,
                LifecycleCommands.Start.class, LifecycleCommands.State.class, LifecycleCommands.Kill.class,
                LifecycleCommands.Delete.class, LifecycleCommands.Exec.class, FeaturesCommand.class, LifecycleCommands.List.class,
                LifecycleCommands.Ps.class, AotTrainingCommand.class, UpdateCommand.class, PauseResumeCommands.Pause.class,
                PauseResumeCommands.Resume.class, EventsCommand.class})
public final class Main implements Runnable {

    /** runc's convention: `isthmus --version` names the runtime and the spec version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Package p = Main.class.getPackage();
            String v = p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "0.1.0-SNAPSHOT";
            return new String[] {"isthmus version " + v, "spec: " + dev.isthmus.spec.DefaultConfigs.OCI_VERSION,
                    "java: " + Runtime.version()};
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--root", description = "Where container state is kept (default: /run/isthmus, or $XDG_RUNTIME_DIR/isthmus when rootless).")
    java.nio.file.Path root;

    @CommandLine.Option(names = "--log", description = "Also write errors to this file.")
    java.nio.file.Path log;

    @CommandLine.Option(names = "--log-format", description = "text or json (one object per line: level, msg, time).")
    String logFormat = "text";

    @CommandLine.Option(names = "--state-mode", description = "spec (default, runc-compatible), bundle (state in "
            + "BUNDLE/.isthmus, linked from the root) or exec (the runtime becomes the container: no runtime process left, "
            + "no pid namespace of its own; create records, start becomes the container).")
    String stateMode = "spec";

    @CommandLine.Option(names = "--id-from-bundle", description = "The ID argument of every command is the bundle's path; "
            + "the container's ID is derived from it (its directory name and a hash of its absolute path).")
    boolean idFromBundle;

    /** The container ID a command's ID argument names: itself, or with --id-from-bundle the ID of the bundle it is. */
    String id(String arg) {
        return idFromBundle ? dev.isthmus.container.ContainerId.fromBundle(java.nio.file.Path.of(arg)) : arg;
    }

    /**
     * The bundle of create and run: -b's, or with --id-from-bundle the ID argument (which -b, when
     * given too, must name as well).
     */
    java.nio.file.Path bundle(String arg, java.nio.file.Path given) {
        if (!idFromBundle) {
            return given != null ? given : java.nio.file.Path.of(".");
        }
        java.nio.file.Path fromArg = java.nio.file.Path.of(arg);
        if (given != null && !given.toAbsolutePath().normalize().equals(fromArg.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id-from-bundle: the ID argument " + arg
                    + " is the bundle, and --bundle names another (" + given + ")");
        }
        return fromArg;
    }

    @CommandLine.Option(names = "--debug", description = "Accepted for runc compatibility.")
    boolean debug;

    @CommandLine.Option(names = "--systemd-cgroup", description = "Default cgroup path system.slice:isthmus:ID (as runc's systemd driver; "
            + "the slice:prefix:name form of linux.cgroupsPath is understood either way; isthmus makes the directories itself, "
            + "without asking systemd for a unit).")
    boolean systemdCgroup;

    @CommandLine.Option(names = "--rootless", description = "true, false or auto (default): rootless when not root, or root in a "
            + "user namespace that maps less than every id (state under $XDG_RUNTIME_DIR/isthmus, cgroups only where writable, "
            + "id ranges through newuidmap/newgidmap).")
    String rootless;

    /** Applies the global options that act before any command (the log). */
    private int executionStrategy(CommandLine.ParseResult parseResult) {
        Log.install(log, logFormat);
        dev.isthmus.cgroup.CgroupPath.systemdDefault(systemdCgroup);
        try {
            dev.isthmus.sys.Rootless.configure(rootless);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    dev.isthmus.container.StateStore store() {
        if (!java.util.Set.of("spec", "bundle", "exec").contains(stateMode)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--state-mode: must be spec, bundle or exec");
        }
        return new dev.isthmus.container.StateStore(root != null ? root : dev.isthmus.container.StateStore.defaultRoot(),
                stateMode.equals("bundle"));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit status. */
    public static int execute(String... args) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionStrategy(main::executionStrategy);
        // --state-mode=exec: "exec" is also a command's name; option values are never commands here.
        cl.setAllowSubcommandsAsOptionParameters(true);
        // As runc: `exec ID sh -c CMD`: what follows the first argument is the command's own.
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        // Every command takes -h/--help and exits 0 with its usage (runc's do; `run --help` said
        // "Missing required parameter" and exited 2). Set here, once, not on each class.
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().mixinStandardHelpOptions(true);
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // A file error says the file and the errno's text ("isthmus: /run/x: Permission denied"),
            // never a bare path or an exception's name.
            String what = ex instanceof java.io.IOException io ? dev.isthmus.sys.Errno.describe(io)
                    : ex.getMessage() == null ? ex.toString() : ex.getMessage();
            commandLine.getErr().println("isthmus: " + what);
            return 1;
        });
        return cl.execute(args);
    }
}
