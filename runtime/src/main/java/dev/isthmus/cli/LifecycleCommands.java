package dev.isthmus.cli;

import dev.isthmus.container.Lifecycle;
import dev.isthmus.spec.Signals;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

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

    static final class Create implements Callable<Integer> {
        final Main main;

        Create(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("create", this, "Create a container: set it up and park its init until start.");
            opts.addTo(m);
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        final CreateOptions opts = new CreateOptions();

        String id;

        @Override
        public Integer call() throws Exception {
            opts.bundle = main.bundle(id, opts.bundle);
            id = main.id(id);
            if (main.stateMode.equals("exec")) {
                return run(() -> new Lifecycle(main.store()).createExecMode(id, opts.bundle, opts.pidFile, opts.consoleSocket,
                        opts.planOptions(false)));
            }
            return run(() -> new Lifecycle(main.store()).create(id, opts.bundle, opts.pidFile, opts.consoleSocket,
                    opts.planOptions(false)));
        }
    }

    static final class Start implements Callable<Integer> {
        final Main main;

        Start(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("start", this, "Start a created container: its init execs the user program.");
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        String id;

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            if (main.stateMode.equals("exec")) {
                // Returns only when this process could not become the container.
                return run(() -> new Lifecycle(main.store()).startExecMode(id));
            }
            return run(() -> new Lifecycle(main.store()).start(id));
        }
    }

    static final class State implements Callable<Integer> {
        final Main main;

        State(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("state", this, "Print a container's state as JSON.");
            m.option("--allow-unknown-status", boolean.class, "Report status unknown when liveness cannot be decided "
                + "(a container without its own pid namespace whose init has ended, when /proc cannot be read in full).", v -> allowUnknown = v);
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        boolean allowUnknown;

        String id;

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            return run(() -> {
                new Lifecycle(main.store()).state(id, System.out, allowUnknown);
                System.out.println();
            });
        }
    }

    static final class Kill implements Callable<Integer> {
        final Main main;

        Kill(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("kill", this, "Send a signal (default SIGTERM) to a container's init.");
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            m.positional("1", "0..1", "SIGNAL", "A name (TERM, SIGTERM) or a number.", String.class, v -> signal = v);
            m.option("-a --all", boolean.class, "Signal every process of the container, not only its init.", v -> all = v);
            return m.spec();
        }

        String id;

        String signal = "SIGTERM";

        boolean all;

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            int sig = Signals.parse(signal);
            if (sig < 1) {
                System.err.println("isthmus: unknown signal: " + signal);
                return 1;
            }
            Lifecycle lc = new Lifecycle(main.store());
            return run(() -> {
                if (all) {
                    lc.killAll(id, sig);
                } else {
                    lc.kill(id, sig);
                }
            });
        }
    }

    static final class Exec implements Callable<Integer> {
        final Main main;

        Exec(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("exec", this, "Run a process in a running container.");
            m.option("-p --process", Path.class, "A process.json (runtime-spec process object) instead of ARGS.", v -> process = v);
            m.option("-d --detach", boolean.class, "Return once the process has started.", v -> detach = v);
            m.option("--pid-file", Path.class, "Write the process's host pid to this file.", v -> pidFile = v);
            m.option("--cwd", String.class, "Working directory in the container.", v -> cwd = v);
            m.repeatable("-e --env", "VALUE", null, "Add an environment variable (KEY=value).", env);
            m.option("-u --user", String.class, "uid[:gid].", v -> user = v);
            m.option("-t --tty", boolean.class, "Give the process a terminal (with ARGS; needs --console-socket).", v -> tty = v);
            m.option("--console-socket", Path.class, "A unix socket to receive the terminal's pty master.", v -> consoleSocket = v);
            m.option("--preserve-fds", int.class, "Pass this many fds after stderr (3, 4, ...) to the process.", v -> preserveFds = v);
            m.repeatable("-c --cap", "CAP", null, "Add a capability (CAP_NAME) to the process's bounding, effective and permitted sets.",
                    caps);
            m.repeatable("-g --additional-gids", "GID", null, "An additional group of the process.", additionalGids);
            m.option("--no-new-privs", boolean.class, "Set no_new_privs for the process.", v -> noNewPrivs = v);
            m.option("--apparmor", String.class, "The process's AppArmor profile (else the container's).", v -> apparmor = v);
            m.option("--process-label", String.class, "The process's SELinux label (else the container's).", v -> processLabel = v);
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            m.positionals("1..*", "ARGS", args);
            return m.spec();
        }

        Path process;

        boolean detach;

        Path pidFile;

        String cwd;

        java.util.List<String> env = new java.util.ArrayList<>();

        String user;

        boolean tty;

        Path consoleSocket;

        int preserveFds;

        java.util.List<String> caps = new java.util.ArrayList<>();

        java.util.List<String> additionalGids = new java.util.ArrayList<>();

        boolean noNewPrivs;

        String apparmor;

        String processLabel;

        String id;

        java.util.List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            int[] status = {0};
            int rc = run(() -> status[0] = new Lifecycle(main.store()).exec(id, process(), caps(), pidFile, consoleSocket, detach,
                    preserveFds));
            return rc != 0 ? rc : status[0];
        }

        private dev.isthmus.spec.Process process() throws Exception {
            if (process != null) {
                // A process object is read as the process of a minimal config, so the config
                // reader's validation applies to it unchanged.
                byte[] p = java.nio.file.Files.readAllBytes(process);
                byte[] wrapped = ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":" + new String(p, java.nio.charset.StandardCharsets.UTF_8) + "}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                try {
                    return dev.isthmus.spec.ConfigReader.read(wrapped, process.toString()).process();
                } catch (dev.isthmus.spec.ConfigException e) {
                    throw new Lifecycle.LifecycleException(e.getMessage());
                }
            }
            if (!args.isEmpty() && args.getFirst().equals("--")) {
                args = args.subList(1, args.size()); // `exec ID -- CMD`: options stop at ID anyway
            }
            if (args.isEmpty()) {
                throw new Lifecycle.LifecycleException("exec: give a command or --process");
            }
            // The same rules as the config's process (ConfigValidator), named by option; values are not echoed.
            for (int i = 0; i < args.size(); i++) {
                refuse("ARGS[" + i + "]", dev.isthmus.spec.ConfigValidator.nulProblem(args.get(i)));
            }
            if (cwd != null) {
                refuse("--cwd", dev.isthmus.spec.ConfigValidator.nulProblem(cwd));
                refuse("--cwd", cwd.startsWith("/") ? null : "must be an absolute path");
            }
            for (int i = 0; i < env.size(); i++) {
                refuse("--env[" + i + "]", dev.isthmus.spec.ConfigValidator.envProblem(env.get(i)));
            }
            java.util.List<Long> groups = new java.util.ArrayList<>();
            for (int i = 0; i < additionalGids.size(); i++) {
                groups.add(id("--additional-gids[" + i + "]", additionalGids.get(i)));
            }
            if (user == null && !groups.isEmpty()) {
                refuse("--additional-gids", "needs --user (the groups belong to the user given there)");
            }
            dev.isthmus.spec.User u = null;
            if (user != null) {
                String[] ug = user.split(":", 2);
                u = new dev.isthmus.spec.User(id("--user (uid)", ug[0]), ug.length > 1 ? id("--user (gid)", ug[1]) : 0, null,
                        groups, null);
            }
            refuse("--apparmor", dev.isthmus.spec.ConfigValidator.nulProblem(apparmor));
            refuse("--process-label", dev.isthmus.spec.ConfigValidator.nulProblem(processLabel));
            java.util.List<String> e = new java.util.ArrayList<>(java.util.List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
            e.addAll(env);
            return new dev.isthmus.spec.Process(tty, null, u, args, null, e, cwd == null ? "/" : cwd, null, java.util.List.of(),
                    noNewPrivs, apparmor, null, processLabel, null, null, null);
        }

        /** --cap's names, each a capability this runtime knows (named by position, never quoted). */
        private java.util.List<String> caps() throws Lifecycle.LifecycleException {
            for (int i = 0; i < caps.size(); i++) {
                try {
                    dev.isthmus.spec.CapabilityNames.parse(caps.get(i));
                } catch (IllegalArgumentException ex) {
                    refuse("--cap[" + i + "]", "unknown capability");
                }
            }
            return caps;
        }

        private static void refuse(String option, String problem) throws Lifecycle.LifecycleException {
            if (problem != null) {
                throw new Lifecycle.LifecycleException("exec: " + option + ": " + problem);
            }
        }

        /** A uid or gid of --user: a decimal number that is an id of its own (not (uid_t)-1). */
        private static long id(String option, String text) throws Lifecycle.LifecycleException {
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException nfe) {
                throw new Lifecycle.LifecycleException("exec: " + option + ": must be a number");
            }
            refuse(option, dev.isthmus.spec.ConfigValidator.idProblem(v));
            return v;
        }
    }

    static final class List implements Callable<Integer> {
        final Main main;

        List(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("list", this, "List containers.");
            m.option("-f --format", String.class, "table or json (default: table).", v -> format = v);
            m.option("-q --quiet", boolean.class, "Only IDs.", v -> quiet = v);
            return m.spec();
        }

        String format = "table";

        boolean quiet;

        @Override
        public Integer call() throws Exception {
            java.util.List<dev.isthmus.spec.State> states = new Lifecycle(main.store()).list();
            if (format.equals("json")) {
                System.out.print("[");
                for (int i = 0; i < states.size(); i++) {
                    System.out.print((i > 0 ? "," : "") + new String(dev.isthmus.spec.StateWriter.toBytes(states.get(i)),
                            java.nio.charset.StandardCharsets.UTF_8).strip());
                }
                System.out.println("]");
            } else if (quiet) {
                states.forEach(s -> System.out.println(s.id()));
            } else {
                // Padded by hand, not printf: java.util.Formatter loads the locale's data, several ms of a short command.
                StringBuilder table = new StringBuilder();
                row(table, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (dev.isthmus.spec.State s : states) {
                    row(table, s.id(), Integer.toString(s.pid()), s.status(), s.bundle(), String.valueOf(s.created()), s.owner());
                }
                System.out.print(table);
            }
            return 0;
        }

        /** One line of the table: each column left-aligned in its width, at least one space apart (as %-20s ... did). */
        static void row(StringBuilder out, String id, String pid, String status, String bundle, String created, String owner) {
            int[] widths = {20, 8, 10, 40, 30};
            String[] cells = {id, pid, status, bundle, created};
            for (int i = 0; i < cells.length; i++) {
                out.append(cells[i]);
                for (int n = cells[i].length(); n < widths[i]; n++) {
                    out.append(' ');
                }
                out.append(' ');
            }
            out.append(owner).append(System.lineSeparator());
        }
    }

    static final class Ps implements Callable<Integer> {
        final Main main;

        Ps(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("ps", this, "List the processes of a container.");
            m.option("-f --format", String.class, "table or json (default: table).", v -> format = v);
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        String format = "table";

        String id;

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            return run(() -> {
                java.util.List<Integer> pids = new Lifecycle(main.store()).processes(id);
                if (format.equals("json")) {
                    System.out.println(pids);
                } else {
                    System.out.println("PID      CMD");
                    for (int pid : pids) {
                        String cmd;
                        try {
                            cmd = java.nio.file.Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline")).replace('\0', ' ').strip();
                        } catch (java.io.IOException e) {
                            cmd = "?";
                        }
                        System.out.printf("%-8d %s%n", pid, cmd);
                    }
                }
            });
        }
    }

    static final class Delete implements Callable<Integer> {
        final Main main;

        Delete(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("delete", this, "Delete a container (a running one only with --force).");
            m.option("-f --force", boolean.class, "Kill the container first if it is running.", v -> force = v);
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        boolean force;

        String id;

        @Override
        public Integer call() throws Exception {
            id = main.id(id);
            return run(() -> new Lifecycle(main.store()).delete(id, force));
        }
    }
}
