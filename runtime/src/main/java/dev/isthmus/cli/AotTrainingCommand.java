package dev.isthmus.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The training runs for the JDK AOT caches (JEP 514/515). The full one (made at package time and
 * by the launchers) runs, in this JVM, every verb clients call per container: create, start,
 * state, list, ps, exec, kill, delete, run, and spec, features, --version. A JVM maps its cache
 * and loads all of its classes at start, so the installed launcher also has one cache per short
 * verb ({@link #VERBS}), each trained by one real call of that verb, exactly as a client makes it:
 * {@code --prepare VERB DIR} makes the container that call acts on (through other JVMs) and prints
 * the call's arguments, bin/install runs the CLI with them in the recording JVM, and
 * {@code --clean DIR} removes the containers. Measured on `state`: a cache trained in the training
 * command's own JVM held its set-up's classes too (19.0 MB) and a call took 118.9 ms, against
 * 105.6 ms with the cache of one real call (14.9 MB). Real containers need root: their rootfs is
 * this host's /usr bound read-only, so no image is needed. Without root the training does what
 * needs no container and says so.
 */
final class AotTrainingCommand implements Callable<Integer> {
    CommandSpec model() {
        Model m = Model.command("aot-training", this, "Exercise the CLI's common paths (for the AOT cache).");
        m.spec().usageMessage().hidden(true);
        m.option("--rounds", int.class, "How many times every verb runs (default: 3).", v -> rounds = v);
        m.option("--prepare", String.class, "Instead of training: make what one call of VERB (version, state, list, kill or "
                + "delete) acts on, under DIR, and print that call's arguments, one per line.", v -> prepare = v);
        m.option("--clean", boolean.class, "Instead of training: delete the containers --prepare made under DIR.", v -> clean = v);
        m.positional("0", "1", "DIR", "A scratch directory (each training works in a new directory under it).", Path.class, v -> dir = v);
        return m.spec();
    }

    Path dir;

    int rounds = 3;

    String prepare;

    boolean clean;

    /**
     * The verbs with a cache of their own in an install (the short ones clients call most: state
     * polling, kill, delete, list); "version" stands for a call without a verb (--version). Every
     * other verb uses the full cache.
     */
    static final java.util.List<String> VERBS = java.util.List.of("version", "state", "list", "kill", "delete");

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (clean) {
            return clean(dir);
        }
        if (prepare != null) {
            if (!VERBS.contains(prepare)) {
                System.err.println("isthmus aot-training: --prepare: must be one of " + String.join(", ", VERBS));
                return 2;
            }
            return prepare(prepare, dir);
        }
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        // A fresh directory each time: DIR may hold an earlier training's.
        Path dir = Files.createTempDirectory(Files.createDirectories(this.dir), "run");
        Path state = Files.createDirectories(dir.resolve("state"));
        String realContainers = realContainersRefusal();
        Path shortBundle = null;
        Path longBundle = null;
        if (realContainers == null) {
            Path rootfs = rootfs(dir.resolve("rootfs"));
            shortBundle = bundle(dir.resolve("short"), rootfs, "[\"true\"]", true);
            longBundle = bundle(dir.resolve("long"), rootfs, "[\"sleep\", \"60\"]", true);
        } else {
            err.println("isthmus aot-training: " + realContainers + ": the AOT cache covers no real container "
                    + "(create, start, state, kill, delete of a container start slower); package as root for those");
        }
        String root = state.toString();
        int failures = 0;
        System.setOut(sink);
        System.setErr(sink);
        try {
            for (int round = 0; round < rounds; round++) {
                Path bundle = Files.createDirectories(dir.resolve("spec" + round));
                Main.execute("--version");
                Main.execute("--help");
                Main.execute("features");
                Main.execute("spec", "-b", bundle.toString());
                Main.execute("--root", root, "state", "missing" + round);
                Main.execute("--root", root, "list");
                Main.execute("run", "--dry-run", "-b", bundle.toString(), "train" + round);
                if (realContainers == null) {
                    failures += containers(root, longBundle, shortBundle, round);
                }
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        if (failures > 0) {
            err.println("isthmus aot-training: " + failures + " verbs on real containers failed; the cache covers the rest");
        }
        return 0;
    }

    /** The client's sequence on real containers: one long-running (create ... delete), one run to completion. */
    private static int containers(String root, Path longBundle, Path shortBundle, int round) throws InterruptedException {
        String id = "aot-training-" + ProcessHandle.current().pid() + "-" + round;
        int failed = 0;
        // A client's create is a new process: it finds the compiled seccomp filter in the disk
        // cache (after the first round), not in this JVM's memory.
        dev.isthmus.sys.Seccomp.forgetLast();
        failed += ok(Main.execute("--root", root, "create", "-b", longBundle.toString(), id));
        failed += ok(Main.execute("--root", root, "start", id));
        failed += ok(Main.execute("--root", root, "state", id));
        failed += ok(Main.execute("--root", root, "list"));
        failed += ok(Main.execute("--root", root, "list", "-f", "json"));
        failed += ok(Main.execute("--root", root, "ps", id));
        failed += ok(Main.execute("--root", root, "exec", id, "true"));
        // TERM is ignored by a pid namespace's init without a handler (sleep); KILL is not.
        failed += ok(Main.execute("--root", root, "kill", id, "TERM"));
        failed += ok(Main.execute("--root", root, "kill", "--all", id, "KILL"));
        for (int i = 0; i < 200 && Main.execute("--root", root, "delete", id) != 0; i++) {
            Thread.sleep(10); // until the kill has landed: delete refuses a running container
        }
        Main.execute("--root", root, "delete", "--force", id);
        failed += ok(Main.execute("--root", root, "run", "-b", shortBundle.toString(), id + "-run"));
        failed += ok(Main.execute("--root", root, "run", "-d", "-b", longBundle.toString(), id + "-d"));
        failed += ok(Main.execute("--root", root, "delete", "--force", id + "-d"));
        return failed;
    }

    /**
     * Makes, under {@code dir}, what one call of {@code verb} acts on, as a client finds it (through
     * other JVMs, so that the recording JVM loads nothing of it), and prints that call's arguments,
     * one per line: `state` and `kill` of a running container (TERM: a pid namespace's init without
     * a handler ignores it), `list` with one running, `delete` of a stopped one. Without real
     * containers, the same calls on a missing container.
     */
    private static int prepare(String verb, Path dir) throws InterruptedException, java.io.IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        String root = state.toString();
        String id = "aot-training-" + verb + "-" + ProcessHandle.current().pid();
        String refusal = realContainersRefusal();
        if (refusal != null) {
            System.err.println("isthmus aot-training: " + refusal + ": the cache of " + verb + " is trained on a missing container");
        }
        int failed = 0;
        if (!verb.equals("version") && refusal == null) {
            Path rootfs = rootfs(dir.resolve("rootfs"));
            String bundle = (verb.equals("delete") ? bundle(dir.resolve("short"), rootfs, "[\"true\"]", false)
                    : bundle(dir.resolve("long"), rootfs, "[\"sleep\", \"600\"]", false)).toString();
            failed += ok(child("--root", root, "run", "-d", "-b", bundle, id));
            if (verb.equals("delete")) {
                awaitStopped(root, id);
            }
        }
        java.util.List<String> call = switch (verb) {
            case "version" -> java.util.List.of("--version");
            case "list" -> java.util.List.of("--root", root, "list");
            case "kill" -> java.util.List.of("--root", root, "kill", id, "TERM");
            default -> java.util.List.of("--root", root, verb, id);
        };
        call.forEach(System.out::println);
        return failed == 0 ? 0 : 1;
    }

    /** Deletes (--force, through another JVM) every container under {@code dir}'s state root. */
    private static int clean(Path dir) throws InterruptedException, java.io.IOException {
        Path state = dir.resolve("state");
        if (!Files.isDirectory(state)) {
            return 0;
        }
        int failed = 0;
        try (var ids = Files.list(state)) {
            for (Path c : ids.toList()) {
                failed += ok(child("--root", state.toString(), "delete", "--force", c.getFileName().toString()));
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** Waits (up to 2 s) until the container no longer runs; its status is read by another JVM. */
    private static void awaitStopped(String root, String id) throws InterruptedException, java.io.IOException {
        for (int i = 0; i < 40; i++) {
            var pb = childProcess("--root", root, "state", id).redirectOutput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            String state = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            if (!state.contains("\"running\"")) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** Runs the CLI in another JVM (no AOT options), for what this training must not load itself. */
    private static int child(String... args) throws InterruptedException, java.io.IOException {
        return childProcess(args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static ProcessBuilder childProcess(String... args) {
        var cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xrs", "-XX:+DisableAttachMechanism", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(java.util.List.of(args));
        var pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb;
    }

    private static int ok(int status) {
        return status == 0 ? 0 : 1;
    }

    /** Why real containers cannot be trained here, or null when they can. */
    private static String realContainersRefusal() {
        if (!isRoot()) {
            return "not root";
        }
        if (!Files.isDirectory(Path.of("/usr/bin")) || !Files.isExecutable(Path.of("/usr/bin/sleep"))) {
            return "no /usr/bin/sleep on this host";
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * A rootfs made of this host's own /usr: the top-level links of a merged-/usr host (bin,
     * lib, ...) copied as links, /usr bound read-only by the config, and empty mount points.
     */
    private static Path rootfs(Path rootfs) throws java.io.IOException {
        for (String d : new String[] {"usr", "proc", "dev", "tmp", "etc", "sys"}) {
            Files.createDirectories(rootfs.resolve(d));
        }
        for (String top : new String[] {"bin", "sbin", "lib", "lib64", "lib32", "libx32"}) {
            Path host = Path.of("/", top);
            if (Files.isSymbolicLink(host)) {
                Files.createSymbolicLink(rootfs.resolve(top), Files.readSymbolicLink(host));
            } else if (Files.isDirectory(host)) {
                Files.createDirectories(rootfs.resolve(top));
            }
        }
        return rootfs;
    }

    /**
     * A bundle whose process runs {@code argsJson} in {@code rootfs}, with the host's separate
     * top-level dirs bound; {@code asPodman}: with the rest of a podman-generated config.
     */
    private static Path bundle(Path bundle, Path rootfs, String argsJson, boolean asPodman) throws java.io.IOException {
        Files.createDirectories(bundle);
        StringBuilder binds = new StringBuilder();
        for (String top : new String[] {"usr", "bin", "sbin", "lib", "lib64", "lib32", "libx32"}) {
            Path host = Path.of("/", top);
            if (Files.isDirectory(host) && !Files.isSymbolicLink(host)) {
                binds.append(",{\"destination\":\"/").append(top).append("\",\"type\":\"bind\",\"source\":\"/").append(top)
                        .append("\",\"options\":[\"rbind\",\"ro\"]}");
            }
        }
        String id = bundle.getFileName().toString();
        // asPodman (the full cache: create, start, run, exec): as podman generates it (podman run
        // --rm IMG true, 4.3), so that the cache holds the parse, plan and seccomp paths its calls
        // take: its mount kinds, masked and read-only paths, sysctl, annotations and a seccomp
        // profile (allow by default here: the training runs the host's own programs, whose system
        // calls no short list covers). Else a plain one, for the short verbs' own caches: a JVM
        // loads all of its cache's classes at start, and the podman config made those caches
        // 1.1-1.3 MB larger (state, list, delete) for paths they hardly take.
        String arches = System.getProperty("os.arch").equals("aarch64") ? "\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\""
                : "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"";
        String podman = """
                {"ociVersion":"1.0.2-dev",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0,"umask":18},"args":ARGS,
                   "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm","container=podman","HOSTNAME=aot-training"],"cwd":"/",
                   "capabilities":{"bounding":["CAP_CHOWN","CAP_KILL","CAP_SETGID","CAP_SETUID"],
                     "effective":["CAP_CHOWN","CAP_KILL","CAP_SETGID","CAP_SETUID"],
                     "permitted":["CAP_CHOWN","CAP_KILL","CAP_SETGID","CAP_SETUID"]},
                   "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024},{"type":"RLIMIT_NPROC","hard":1024,"soft":1024}],
                   "noNewPrivileges":true},
                 "root":{"path":"ROOTFS","readonly":true},
                 "hostname":"aot-training",
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","noexec","strictatime","mode=755","size=65536k"]},
                   {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
                   {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
                   {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
                   {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]},
                   {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["rprivate","nosuid","noexec","nodev","relatime","ro"]}BINDS],
                 "annotations":{"io.container.manager":"libpod","io.podman.annotations.autoremove":"TRUE",
                   "org.opencontainers.image.stopSignal":"15"},
                 "linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
                   "sysctl":{"net.ipv4.ping_group_range":"0 0"},
                   "cgroupsPath":"/isthmus-aot-training/@ID@-@PID@",
                   "resources":{"pids":{"limit":100},"devices":[{"allow":false,"access":"rwm"}]},
                   "maskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list",
                     "/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware","/sys/fs/selinux","/sys/dev/block"],
                   "readonlyPaths":["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"],
                   "seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":[ARCHES],"syscalls":[
                     {"names":["kexec_load","open_by_handle_at"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
                     {"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":40,"op":"SCMP_CMP_EQ"}]}]}}}
                """;
        String plain = """
                {"ociVersion":"1.2.0",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":ARGS,
                   "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/",
                   "capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]},
                   "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
                 "root":{"path":"ROOTFS","readonly":true},
                 "hostname":"aot-training",
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                   {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]}BINDS],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"network"}],
                   "cgroupsPath":"/isthmus-aot-training/@ID@-@PID@",
                   "resources":{"pids":{"limit":100},"devices":[{"allow":false,"access":"rwm"}]},
                   "maskedPaths":["/proc/kcore","/proc/keys"],"readonlyPaths":["/proc/sys"]}}
                """;
        String config = (asPodman ? podman : plain).replace("ARGS", argsJson).replace("ROOTFS", rootfs.toString()).replace("BINDS", binds)
                .replace("@ID@", id).replace("@PID@", Long.toString(ProcessHandle.current().pid())).replace("ARCHES", arches);
        Files.writeString(bundle.resolve("config.json"), config);
        return bundle;
    }
}
