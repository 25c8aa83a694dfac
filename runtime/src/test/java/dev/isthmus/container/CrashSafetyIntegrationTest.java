package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime killed with SIGKILL at points spread over the whole of a `create` or a `run`, each
 * time followed by `delete -f`: nothing of the container may be left, whatever the runtime had
 * made when it died (DESIGN.md, invariant 5: what create makes is recorded before it is made).
 * Checked: the state directory, the cgroup directories in every hierarchy, mounts under the
 * bundle, the parked init (an "isthmus-init" process) and the container's own processes.
 */
class CrashSafetyIntegrationTest {

    @TempDir
    Path tmp;

    private static final int POINTS = 20;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces, mounts and cgroups");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static) for the test rootfs");
    }

    private Path bundle(List<String> args) throws IOException {
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        // A memory limit: every hierarchy gets the container's directory, and one limit is written.
        String linux = """
                , "resources": {"memory": {"limit": 67108864}, "pids": {"limit": 100}}""";
        return Bundles.write(b, Bundles.config(args, "crash", true, Bundles.DEFAULT_NAMESPACES, "", linux));
    }

    /** How long the command takes when nothing kills it (ms), measured once. */
    private long duration(String root, String verb, Path b, String id) throws Exception {
        long t0 = System.nanoTime();
        Cli.Result r = Cli.runToFiles(tmp.resolve("m.out"), tmp.resolve("m.err"), "--root", root, verb, "-b", b.toString(), id);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.status(), r::toString);
        assertEquals(0, Cli.run("--root", root, "delete", "--force", id).status());
        assertNothingLeft(root, id, b);
        return ms;
    }

    /** isthmus-init processes that existed before the test (other containers'): not this test's leftovers. */
    private static final java.util.Set<Long> OTHERS = new java.util.HashSet<>();

    private void killAtPoints(String verb, List<String> args) throws Exception {
        OTHERS.addAll(leftovers());
        Path b = bundle(args);
        String root = tmp.resolve("state").toString();
        String id = "crash" + verb + ProcessHandle.current().pid();
        long total = duration(root, verb, b, id);
        List<String> points = new ArrayList<>();
        for (int i = 0; i < POINTS; i++) {
            long at = total * i / POINTS;
            Process p = Cli.builder("--root", root, verb, "-b", b.toString(), id).redirectInput(new File("/dev/null"))
                    .redirectOutput(tmp.resolve("k.out").toFile()).redirectError(tmp.resolve("k.err").toFile()).start();
            Thread.sleep(at);
            // bin/isthmus execs the JVM: the pid is the runtime's own
            boolean alive = p.isAlive();
            p.toHandle().destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            points.add(at + " ms" + (alive ? "" : " (already ended)"));
            Cli.Result d = Cli.run("--root", root, "delete", "--force", id);
            assertEquals(0, d.status(), () -> "delete -f after a kill at " + at + " ms: " + d);
            assertNothingLeft(root, id, b);
        }
        System.out.println(verb + ": killed at " + points + " of " + total + " ms, delete -f left nothing each time");
    }

    @Test
    void deleteForceLeavesNothingAfterCreateIsKilledAnywhere() throws Exception {
        killAtPoints("create", List.of("sleep", "300"));
    }

    @Test
    void deleteForceLeavesNothingAfterRunIsKilledAnywhere() throws Exception {
        killAtPoints("run", List.of("sh", "-c", "sleep 0.3"));
    }

    private static void assertNothingLeft(String root, String id, Path bundle) throws Exception {
        assertFalse(Files.exists(Path.of(root, id)), "state of " + id + " left in " + root);
        assertEquals(List.of(), cgroupDirs(id), "cgroup directories of " + id + " left");
        // The parked init of a create killed before it recorded the container ends by itself
        // once the runtime's end closes its commit pipe; the container's program (sleep, with
        // the config's env) dies with the init of its pid namespace.
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Long> left;
        while (!(left = leftovers().stream().filter(p -> !OTHERS.contains(p)).toList()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), left, "processes of the container left (parked inits or its program)");
        assertEquals(List.of(), Bundles.mountsUnder(bundle.toRealPath()), "mounts left under the bundle");
    }

    /** Directories named {@code id} anywhere under /sys/fs/cgroup (every hierarchy). */
    static List<Path> cgroupDirs(String id) throws IOException {
        try (Stream<Path> s = Files.find(Path.of("/sys/fs/cgroup"), 6, (p, a) -> a.isDirectory() && p.getFileName().toString().equals(id))) {
            return s.toList();
        }
    }

    /** Parked inits (the memfd image, argv ["isthmus-init"]) and processes carrying the test config's env. */
    private static List<Long> leftovers() throws IOException {
        List<Long> out = new ArrayList<>(Bundles.processesWithEnv("SECRET_TOKEN=hunter2"));
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).equals("isthmus-init\0")
                            && Files.readString(p.resolve("stat")).indexOf(" Z ") < 0) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return out;
    }
}
