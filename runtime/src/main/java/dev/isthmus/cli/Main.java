package dev.isthmus.cli;

import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Entry point: the runc-compatible command line. Its model is built by code ({@link Model}),
 * and only for the command the arguments name (issue 16: start-up proportional to the verb).
 */
public final class Main implements Runnable {

    /**
     * Every command, in the order of the usage message. Clients start one runtime per verb, so
     * {@link #execute} gives picocli only the command the arguments name: building the model of
     * a command reflects over its class and makes an annotation proxy per annotation, and doing
     * that for all of them cost more than the JVM's own start (issue 16).
     */
    private static final java.util.Map<String, Function<Main, CommandSpec>> COMMANDS = commands();

    private static java.util.Map<String, Function<Main, CommandSpec>> commands() {
        var c = new java.util.LinkedHashMap<String, Function<Main, CommandSpec>>();
        c.put("run", main -> new RunCommand(main).model());
        c.put("spec", main -> new SpecCommand().model());
        c.put("batch", main -> new BatchCommand().model());
        c.put("bench", main -> new BenchCommand().model());
        c.put("create", main -> new LifecycleCommands.Create(main).model());
        c.put("start", main -> new LifecycleCommands.Start(main).model());
        c.put("state", main -> new LifecycleCommands.State(main).model());
        c.put("kill", main -> new LifecycleCommands.Kill(main).model());
        c.put("delete", main -> new LifecycleCommands.Delete(main).model());
        c.put("exec", main -> new LifecycleCommands.Exec(main).model());
        c.put("features", main -> new FeaturesCommand().model());
        c.put("list", main -> new LifecycleCommands.List(main).model());
        c.put("ps", main -> new LifecycleCommands.Ps(main).model());
        c.put("aot-training", main -> new AotTrainingCommand().model());
        c.put("update", main -> new UpdateCommand(main).model());
        c.put("pause", main -> new PauseResumeCommands.Pause(main).model());
        c.put("resume", main -> new PauseResumeCommands.Resume(main).model());
        c.put("events", main -> new EventsCommand(main).model());
        return java.util.Collections.unmodifiableMap(c);
    }

    /** The global options that take a value (as a separate argument unless given as --name=value). */
    private static final java.util.Set<String> VALUED_GLOBALS =
            java.util.Set.of("--root", "--log", "--log-format", "--state-mode", "--rootless");

    /**
     * The command the arguments name: the first argument that is neither a global option nor
     * a global option's value; null when there is none or it is no command (then picocli gets
     * every command, for the usage message and its "did you mean" suggestions).
     */
    static String verb(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("-")) {
                if (VALUED_GLOBALS.contains(a)) {
                    i++;
                }
                continue;
            }
            return COMMANDS.containsKey(a) ? a : null;
        }
        return null;
    }

    /**
     * The value of {@code --preserve-fds} among {@code args} (as {@code --preserve-fds N} or
     * {@code --preserve-fds=N}), or 0 when there is none or it is no number (picocli reports that).
     * It may also find the words of exec's command: preparing the range then costs a few fds and
     * passes nothing more.
     */
    static int preserveFds(String... args) {
        for (int i = 0; i < args.length; i++) {
            String value = args[i].equals("--preserve-fds") && i + 1 < args.length ? args[i + 1]
                    : args[i].startsWith("--preserve-fds=") ? args[i].substring("--preserve-fds=".length()) : null;
            if (value != null) {
                try {
                    int n = Integer.parseInt(value);
                    return n >= 0 && n <= dev.isthmus.plan.Planner.Options.MAX_PRESERVE_FDS ? n : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** The names of every command, in usage order. */
    static java.util.Set<String> commandNames() {
        return COMMANDS.keySet();
    }

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

    CommandSpec spec;

    java.nio.file.Path root;

    java.nio.file.Path log;

    String logFormat = "text";

    String stateMode = "spec";

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

    boolean debug;

    boolean systemdCgroup;

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

    /** The global options (runc's, and isthmus's own). */
    private CommandSpec model() {
        Model m = Model.command("isthmus", this, "A stateless-capable OCI container runtime on Project Panama.");
        m.version(new Version());
        m.option("--root", java.nio.file.Path.class, "Where container state is kept (default: /run/isthmus, or "
                + "$XDG_RUNTIME_DIR/isthmus when rootless).", v -> root = v);
        m.option("--log", java.nio.file.Path.class, "Also write errors to this file.", v -> log = v);
        m.option("--log-format", String.class, "text or json (one object per line: level, msg, time).", v -> logFormat = v);
        m.option("--state-mode", String.class, "spec (default, runc-compatible), bundle (state in "
                + "BUNDLE/.isthmus, linked from the root) or exec (the runtime becomes the container: no runtime process left, "
                + "no pid namespace of its own; create records, start becomes the container).", v -> stateMode = v);
        m.option("--id-from-bundle", boolean.class, "The ID argument of every command is the bundle's path; "
                + "the container's ID is derived from it (its directory name and a hash of its absolute path).",
                v -> idFromBundle = v);
        m.option("--debug", boolean.class, "Accepted for runc compatibility.", v -> debug = v);
        m.option("--systemd-cgroup", boolean.class, "Default cgroup path system.slice:isthmus:ID (as runc's systemd "
                + "driver; the slice:prefix:name form of linux.cgroupsPath is understood either way; isthmus makes the "
                + "directories itself, without asking systemd for a unit).", v -> systemdCgroup = v);
        m.option("--rootless", String.class, "true, false or auto (default): rootless when not root, or root in a user namespace "
                + "that maps less than every id (state under $XDG_RUNTIME_DIR/isthmus, cgroups only where writable, id ranges through "
                + "newuidmap/newgidmap).", v -> rootless = v);
        spec = m.spec();
        return spec;
    }

    public static void main(String[] args) {
        int status = execute(args);
        // halt, not exit: System.exit looks up a System.Logger to log the call (JDK 17+), a
        // service-loader search of several ms on every short command. isthmus registers no
        // shutdown hook; what it prints is flushed here, and --log writes each line as it comes.
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** Whether {@link #prewarm} has started its threads in this JVM. */
    private static boolean prewarmed;

    /**
     * Starts, on a thread of their own, the class initialisations every verb that reads or writes
     * JSON pays for in the interpreter, so that they overlap with picocli's model and parse on the
     * main thread (about 25 ms; issue 16): jackson-core's parser and generator, java.math.BigDecimal,
     * which jackson's parser base touches and whose initialiser squares 5^(2^k) up to huge powers
     * (about 20 ms on JDK 25), and java.time's ISO instant format (3-5 ms). A class is initialised
     * once: the main thread, when it gets there first, waits for that initialisation and does not
     * repeat it. For every verb but state, list and delete (which make no system call through FFM
     * when the container has stopped), a third thread makes FFM's first link of the runtime's one
     * downcall shape (Libc#warmUp, 50-70 ms: `kill`, for one, needs it right after reading the
     * state) and, for the verbs that launch a container, maps the stub too (Spawner#warmUp).
     */
    static synchronized void prewarm(String verb) {
        if (prewarmed) {
            return;
        }
        prewarmed = true;
        boolean launches = java.util.Set.of("create", "run", "exec").contains(verb);
        boolean systemCalls = !java.util.Set.of("state", "list", "delete").contains(verb);
        Thread.ofPlatform().daemon().name("prewarm").start(() -> {
            java.math.BigDecimal.ONE.signum(); // first: the longest, and needed by the parser below
            dev.isthmus.spec.StateWriter.warmUp();
        });
        if (systemCalls) {
            // the links take longer than the main thread's parse: a second thread of their own
            Thread.ofPlatform().daemon().name("prewarm-ffm").start(() -> {
                if (launches) {
                    dev.isthmus.sys.Spawner.warmUp();
                } else {
                    dev.isthmus.sys.Libc.warmUp();
                }
            });
        }
    }

    /** Runs the command line; returns the exit status. */
    public static int execute(String... args) {
        String verb = verb(args);
        if (verb != null && java.util.Set.of("create", "run", "exec").contains(verb)) {
            // before anything of the runtime's own is opened, the warm-up threads' included
            String refused = dev.isthmus.sys.PreservedFds.prepare(preserveFds(args));
            if (refused != null) {
                System.err.println("isthmus: " + verb + ": --preserve-fds: " + refused);
                return 1;
            }
        }
        if (verb != null && !verb.equals("spec") && !verb.equals("features")) {
            prewarm(verb);
        }
        Main main = new Main();
        CommandLine cl = new CommandLine(main.model());
        // --version names no command and needs none.
        boolean none = verb == null && java.util.Arrays.stream(args).anyMatch(a -> a.equals("--version") || a.equals("-V"));
        for (var c : COMMANDS.entrySet()) {
            if (!none && (verb == null || verb.equals(c.getKey()))) {
                cl.addSubcommand(c.getKey(), c.getValue().apply(main));
            }
        }
        cl.setExecutionStrategy(main::executionStrategy);
        // --state-mode=exec: "exec" is also a command's name; option values are never commands here.
        cl.setAllowSubcommandsAsOptionParameters(true);
        // As runc: `exec ID sh -c CMD`: what follows the first argument is the command's own.
        if (cl.getSubcommands().get("exec") != null) {
            cl.getSubcommands().get("exec").setStopAtPositional(true);
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
