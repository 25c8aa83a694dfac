package dev.isthmus.properties.lifecycle;

import dev.isthmus.spec.ConfigWriter;
import dev.isthmus.spec.DefaultConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Issue 20's fuzz test: mutants of a realistic config (the `isthmus spec` output plus mounts,
 * hooks, seccomp and resources), type-changing and type-preserving, each through the real CLI:
 * {@code run --dry-run}, then {@code create} and {@code delete -f}. It asserts only what must
 * hold for any input: exit 0 or a clear one-line "isthmus: ..." error with no stack trace, no
 * hang (each call has a deadline), and nothing left once delete -f has run (state, cgroup
 * directory, mount, parked init or container process). Needs root and a static busybox; skips
 * (saying so) without them.
 */
class CliFuzzProperties {

    private static Path dir;
    private static Path bundle;
    private static Path root;
    private static Path scratch;
    private static final String MARK = "ISTHMUS_FUZZ=1";
    private static int counter;

    @BeforeContainer
    static void setUp() throws IOException {
        if (!usable()) {
            return;
        }
        dir = Files.createTempDirectory("isthmus-fuzz-");
        bundle = Files.createDirectories(dir.resolve("bundle"));
        root = dir.resolve("root");
        scratch = Files.createDirectories(dir.resolve("scratch"));
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "true", "sleep")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(d));
        }
    }

    @AfterContainer
    static void tearDown() throws IOException {
        if (dir == null || !Bundles.mounts(dir).isEmpty()) {
            return; // never remove files below a mount; the property reported it
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static boolean usable() {
        return Bundles.isRoot() && Bundles.haveStaticBusybox();
    }

    /** The realistic base: runc's default config as `isthmus spec` writes it, and more. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> base() {
        Map<String, Object> c = (Map<String, Object>) dev.isthmus.properties.JsonTree.read(ConfigWriter.toBytes(DefaultConfigs.runcDefault(false)));
        Map<String, Object> process = (Map<String, Object>) c.get("process");
        process.put("terminal", false);
        process.put("args", new ArrayList<>(List.of("sleep", "30")));
        List<Object> env = (List<Object>) process.get("env");
        env.add(MARK);
        List<Object> mounts = (List<Object>) c.get("mounts");
        mounts.add(new java.util.LinkedHashMap<>(Map.of("destination", "/tmp", "type", "tmpfs", "source", "tmpfs",
                "options", new ArrayList<>(List.of("nosuid", "size=1m")))));
        mounts.add(new java.util.LinkedHashMap<>(Map.of("destination", "/etc/hostname", "type", "bind", "source", "/etc/hostname",
                "options", new ArrayList<>(List.of("rbind", "ro")))));
        c.put("hooks", new java.util.LinkedHashMap<>(Map.of(
                "prestart", new ArrayList<>(List.of(new java.util.LinkedHashMap<>(Map.of("path", "/bin/true", "args", new ArrayList<>(List.of("true")),
                        "timeout", 5L)))),
                "poststop", new ArrayList<>(List.of(new java.util.LinkedHashMap<>(Map.of("path", "/bin/true")))))));
        Map<String, Object> linux = (Map<String, Object>) c.get("linux");
        linux.put("resources", new java.util.LinkedHashMap<>(Map.of(
                "memory", new java.util.LinkedHashMap<>(Map.of("limit", 67108864L)),
                "pids", new java.util.LinkedHashMap<>(Map.of("limit", 64L)),
                "devices", new ArrayList<>(List.of(new java.util.LinkedHashMap<>(Map.of("allow", false, "access", "rwm")))))));
        linux.put("seccomp", new java.util.LinkedHashMap<>(Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "architectures", new ArrayList<>(List.of("SCMP_ARCH_X86_64")),
                "syscalls", new ArrayList<>(List.of(new java.util.LinkedHashMap<>(Map.of("names", new ArrayList<>(List.of("kexec_load")),
                        "action", "SCMP_ACT_ERRNO")))))));
        return c;
    }

    /** A mutant of the base: a field removed, a value replaced (same or another type), a field or element copied. */
    @Provide
    Arbitrary<byte[]> mutants() {
        Arbitrary<Object> replacement = Arbitraries.oneOf(
                Arbitraries.just(null), Arbitraries.of(true, false), Arbitraries.longs().map(Object.class::cast),
                Arbitraries.of(-1L, 0L, 1L, 4294967295L, 4294967296L, Long.MAX_VALUE, new java.math.BigInteger("18446744073709551616"))
                        .map(Object.class::cast),
                Arbitraries.of("", "relative/x", "/", "/abs", "/proc/self/fd/3", "../../..", "pid", "CAP_NOPE", "1.2.0", "9.9.9",
                                "/bin/true\u0000/../false", "NO_EQUALS", "rw", "bind", "tmpfs", "SCMP_ACT_KILL", "x".repeat(5000))
                        .map(Object.class::cast),
                Arbitraries.just(List.of()).map(Object.class::cast),
                Arbitraries.just(Map.of()).map(Object.class::cast));
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE), replacement)
                .as((kind, pick, pick2, value) -> mutate(kind, pick, pick2, value));
    }

    private static byte[] mutate(int kind, int pick, int pick2, Object value) {
        Object tree = base();
        dev.isthmus.properties.JsonTree.damage(tree, kind, pick, pick2, value);
        return dev.isthmus.properties.JsonTree.write(tree);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void aMutantRunsOrIsRefusedCleanlyAndLeavesNothing(@ForAll("mutants") byte[] json) throws IOException {
        if (!usable()) {
            throw new org.opentest4j.TestAbortedException("needs root (namespaces, mounts, cgroups) and a static /bin/busybox");
        }
        String text = new String(json, StandardCharsets.UTF_8);
        Files.write(bundle.resolve("config.json"), json);
        // Unique per run of the suite too: a failed run must never leave a name a later run meets.
        String id = "fz" + ProcessHandle.current().pid() + "-" + (++counter);
        List<String> common = List.of("--root", root.toString());
        IsthmusCli.Result d;
        try {
            check("run --dry-run", call(common, "run", "--dry-run", "-b", bundle.toString(), id), text);
            IsthmusCli.Result c = call(common, "create", "-b", bundle.toString(), id);
            check("create", c, text);
            Statistics.collect(c.ok() ? "created" : "refused");
        } finally {
            d = call(common, "delete", "--force", id); // also after a failed check: nothing may stay for later runs
        }
        if (!d.ok()) {
            throw new AssertionError("delete --force must succeed whatever create did: " + d + "\nconfig: " + text);
        }
        List<String> left = leftovers(id);
        if (!left.isEmpty()) {
            throw new AssertionError("left behind after create and delete --force: " + left + "\nconfig: " + text);
        }
    }

    private static IsthmusCli.Result call(List<String> common, String... args) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(args));
        return IsthmusCli.run(all, scratch);
    }

    /** Exit 0, or one line "isthmus: ..." and no Java exception or stack trace. */
    private static void check(String what, IsthmusCli.Result r, String config) {
        if (r.ok()) {
            return;
        }
        String err = r.err().strip();
        boolean clear = err.startsWith("isthmus: ") && err.lines().count() == 1 && !err.contains("Exception") && !err.contains("\tat ")
                && !err.contains("Error:");
        if (!clear) {
            throw new AssertionError(what + " failed without a clear one-line error: " + r + "\nconfig: " + config);
        }
    }

    /** What must be gone: the state, a cgroup directory named after the id, mounts under the try, processes of the mutant. */
    private static List<String> leftovers(String id) throws IOException {
        List<String> left = new ArrayList<>();
        if (Files.exists(root.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
            left.add("state " + root.resolve(id));
        }
        try (Stream<Path> s = Files.find(Path.of("/sys/fs/cgroup"), 6, (p, a) -> a.isDirectory() && p.getFileName().toString().equals(id))) {
            s.forEach(p -> left.add("cgroup " + p));
        }
        left.addAll(Bundles.mounts(dir).stream().map(m -> "mount " + m).toList());
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Long> procs;
        while (!(procs = Bundles.processes(MARK)).isEmpty() && System.nanoTime() < deadline) {
            LifecycleHarness.sleep(20);
        }
        procs.forEach(p -> left.add("process " + p));
        return left;
    }

    /** What this fuzz needs of the host and the process table. */
    static final class Bundles {
        private Bundles() {}

        static boolean isRoot() {
            return "root".equals(System.getProperty("user.name"));
        }

        static boolean haveStaticBusybox() {
            try {
                Process p = new ProcessBuilder("file", "-L", "/bin/busybox").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor() == 0 && out.contains("statically linked");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        static List<String> mounts(Path under) {
            try {
                return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                        .filter(m -> m.startsWith(under.toString())).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Live processes whose environment holds {@code entry}, and parked inits (argv ["isthmus-init"]). */
        static List<Long> processes(String entry) {
            List<Long> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(Path.of("/proc"))) {
                for (Path p : s.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String env = Files.readString(p.resolve("environ"), StandardCharsets.ISO_8859_1);
                        String cmd = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                        String stat = Files.readString(p.resolve("stat"));
                        boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                        if (!zombie && (List.of(env.split("\0")).contains(entry) || cmd.equals("isthmus-init\0"))) {
                            out.add(Long.parseLong(p.getFileName().toString()));
                        }
                    } catch (IOException e) {
                        // gone meanwhile, or not readable (not a container's)
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }
    }
}
