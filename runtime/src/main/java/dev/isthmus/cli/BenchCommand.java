package dev.isthmus.cli;

import dev.isthmus.batch.LaunchProfile;
import dev.isthmus.batch.Launcher;
import dev.isthmus.batch.Task;
import dev.isthmus.batch.TaskResult;
import dev.isthmus.plan.PlanException;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * `isthmus bench`: launches the bundle's program through isthmus batch (one JVM), through
 * `isthmus run` once per task, and through each other runtime found on the machine once per
 * task, in interleaved rounds, and prints launches/s and each one's ratio to isthmus batch.
 */
final class BenchCommand implements Callable<Integer> {
    CommandSpec model() {
        Model b = Model.command("bench", this, "Compare launch rates: isthmus batch, isthmus run per task, and other runtimes per task.");
        b.option("-b --bundle", Path.class, "The bundle whose program is launched (e.g. /bin/true).", v -> bundle = v);
        b.option("-n", int.class, "Launches per round through isthmus batch (default: 2000).", v -> n = v);
        b.option("-m", int.class, "Launches per round for runtimes invoked once per task (default: 200).", v -> m = v);
        b.option("--run-count", int.class, "Launches per round through `isthmus run` per task, a JVM each (default: 20).", v -> runCount = v);
        b.option("-j --jobs", int.class, "Parallelism of isthmus batch (default: 2 x the cores free at start, at least 2, as batch chooses).", v -> {
            jobs = v;
            jobsGiven = true;
        });
        b.option("--rounds", int.class, "Interleaved rounds (default: 3).", v -> rounds = v);
        b.option("--profile", boolean.class, "Instead of comparing: where one launch's time goes, step by step (the stub's own clock), "
                + "over -n launches one at a time, against the floor (bare clone3 + exec + reap, same namespaces).", v -> profile = v);
        b.repeatable("--against", "VALUE", ",", "Other runtimes: crun, runc, ch-run (default: all three).", against);
        return b.spec();
    }

    Path bundle = Path.of(".");

    int n = 2000;

    int m = 200;

    int runCount = 20;

    /** Unless given: as batch chooses it ({@link dev.isthmus.batch.FreeCores}). */
    int jobs;

    boolean jobsGiven;

    int rounds = 3;

    boolean profile;

    final List<String> against = new ArrayList<>(List.of("crun", "runc", "ch-run"));

    /** Totals per contender, in insertion order. */
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // {launches, nanos}
    private final Map<String, String> skipped = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Path abs = bundle.toAbsolutePath().normalize();
        Config config;
        try {
            config = ConfigReader.read(abs.resolve("config.json"));
        } catch (ConfigException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        }
        if (profile) {
            return profile(config, abs);
        }
        if (!jobsGiven) {
            jobs = dev.isthmus.batch.FreeCores.defaultJobs();
        }
        Path work = Files.createTempDirectory("isthmus-bench");
        try {
            Path compat = compatBundle(abs, config, work);
            String batchName = "isthmus batch -j" + jobs;
            for (int r = 1; r <= rounds; r++) {
                System.err.printf("round %d/%d%n", r, rounds);
                record(batchName, n, batch(config, abs));
                String launcher = System.getProperty("isthmus.launcher");
                if (launcher == null) {
                    skipped.put("isthmus run", "not started through bin/isthmus (isthmus.launcher unset)");
                } else {
                    perTask("isthmus run", runCount, List.of(launcher, "run", "-b", abs.toString(), "bench-$i"), work, false);
                }
                for (String rt : against) {
                    switch (rt) {
                        case "crun" -> perTask("crun", m, List.of("crun", "run", "-b", compat.toString(), "ib$$-$i"), work, true);
                        case "runc" -> perTask("runc", m, List.of("runc", "run", "-b", compat.toString(), "ib$$-$i"), work, false);
                        case "ch-run" -> {
                            List<String> cmd = new ArrayList<>(List.of("ch-run", abs.resolve(config.root().path()).toString(), "--"));
                            cmd.addAll(config.process().args());
                            perTask("ch-run", m, cmd, work, false);
                        }
                        default -> skipped.put(rt, "unknown runtime");
                    }
                }
            }
        } finally {
            deleteTree(work);
        }
        report();
        return totals.isEmpty() ? 1 : 0;
    }

    /** `bench --profile`: the launch profile's table (bench/README.md shows one per bundle). */
    private int profile(Config config, Path abs) throws PlanException, IOException, InterruptedException {
        try (Launcher launcher = new Launcher(config, abs, 1)) {
            launcher.profile(Math.min(n, 50)); // warm-up: the JIT and the kernel's caches
            LaunchProfile.Result r = launcher.profile(n);
            System.out.printf(Locale.ROOT, "launch profile of %s: %d launches one at a time, %d steps each (the stub's own clock)%n",
                    abs, r.launches(), r.steps());
            System.out.printf(Locale.ROOT, "%-55s %10s %7s%n", "part", "us/launch", "share");
            for (LaunchProfile.Row row : r.rows()) {
                if (row.micros() >= 0.05) {
                    System.out.printf(Locale.ROOT, "%-55s %10.1f %6.1f%%%n", row.group(), row.micros(), 100 * row.share());
                }
            }
            System.out.printf(Locale.ROOT, "%-55s %10.1f%n", "whole launch, before clone3 to reaped", r.launchMicros());
            System.out.printf(Locale.ROOT, "%-55s %10.1f   (the launch is %.2fx the floor)%n",
                    "floor: bare clone3 + execve + reap, same namespaces", r.floorMicros(), r.launchMicros() / r.floorMicros());
            System.out.printf(Locale.ROOT, "%-55s %10.1f   (included above; 2 timing calls per step)%n", "profiling's own cost",
                    r.overheadMicros());
            System.out.printf(Locale.ROOT, "%-55s %10.1f   (once per batch, not per task)%n", "planning the template", launcher.planNanos() / 1e3);
            System.out.println("slowest steps:");
            for (LaunchProfile.Row row : r.slowestSteps()) {
                System.out.printf(Locale.ROOT, "  %-75.75s %8.1f %6.1f%%%n", row.group(), row.micros(), 100 * row.share());
            }
        }
        return 0;
    }

    private void record(String name, int count, long nanos) {
        if (nanos > 0) {
            long[] t = totals.computeIfAbsent(name, k -> new long[2]);
            t[0] += count;
            t[1] += nanos;
        }
    }

    /** n launches through one Launcher: from the first submit to the last completion. */
    private long batch(Config config, Path abs) throws PlanException, InterruptedException, IOException {
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>(n);
        long start;
        try (Launcher launcher = new Launcher(config, abs, jobs)) {
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                futures.add(launcher.submit(new Task("b" + i, List.of(), List.of(), null, null, List.of())));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        }
        long nanos = System.nanoTime() - start;
        for (CompletableFuture<TaskResult> f : futures) {
            if (!f.join().succeeded()) {
                skipped.put("isthmus batch", "a launch failed: " + f.join().toJson());
                return -1;
            }
        }
        return nanos;
    }

    /**
     * count invocations of {@code cmd} ($i is the index), one process each, from one sh loop;
     * crun runs in a private mount namespace with an empty tmpfs over /sys/fs/cgroup/unified,
     * since crun refuses this host's hybrid cgroups.
     */
    private void perTask(String name, int count, List<String> cmd, Path work, boolean hideUnified) throws IOException, InterruptedException {
        if (skipped.containsKey(name)) {
            return;
        }
        if (!onPath(cmd.getFirst()) && !cmd.getFirst().contains("/")) {
            skipped.put(name, cmd.getFirst() + " not found on PATH");
            return;
        }
        StringBuilder quoted = new StringBuilder();
        for (String c : cmd) {
            quoted.append(c.contains("$") ? "\"" + c + "\"" : "'" + c.replace("'", "'\\''") + "'").append(' ');
        }
        String loop = (hideUnified ? "mount --make-rprivate / && mount -t tmpfs none /sys/fs/cgroup/unified || exit 1\n" : "")
                + "i=0; while [ $i -lt " + count + " ]; do " + quoted + ">/dev/null || exit 1; i=$((i+1)); done\n";
        List<String> sh = hideUnified ? List.of("unshare", "-m", "sh", "-c", loop) : List.of("sh", "-c", loop);
        ProcessBuilder pb = new ProcessBuilder(sh).redirectInput(new File("/dev/null"))
                .redirectError(work.resolve(name + ".err").toFile());
        pb.environment().putIfAbsent("USER", System.getProperty("user.name")); // ch-run wants $USER
        long start = System.nanoTime();
        Process p = pb.start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            skipped.put(name, "did not finish in 30 minutes");
            return;
        }
        long nanos = System.nanoTime() - start;
        if (p.exitValue() != 0) {
            String err = Files.readString(work.resolve(name + ".err"), StandardCharsets.UTF_8).strip();
            skipped.put(name, "fails on this host: " + (err.isEmpty() ? "exit " + p.exitValue() : err.lines().reduce((a, b) -> b).orElse("")));
            totals.remove(name);
            return;
        }
        record(name, count, nanos);
    }

    /** The same bundle for runtimes that refuse ociVersion > 1.0 (crun 1.8): same rootfs, same config otherwise. */
    private static Path compatBundle(Path abs, Config config, Path work) throws IOException {
        Path b = Files.createDirectories(work.resolve("compat"));
        String json = Files.readString(abs.resolve("config.json"));
        json = json.replaceFirst("\"ociVersion\"\\s*:\\s*\"[^\"]*\"", "\"ociVersion\": \"1.0.2\"");
        String root = abs.resolve(config.root().path()).toString();
        json = json.replaceFirst("(\"root\"\\s*:\\s*\\{[^}]*\"path\"\\s*:\\s*)\"[^\"]*\"", "$1\"" + root.replace("\\", "\\\\") + "\"");
        Files.writeString(b.resolve("config.json"), json);
        return b;
    }

    private void report() {
        long[] base = totals.values().stream().findFirst().orElse(null);
        double baseRate = base == null ? 0 : base[0] / (base[1] / 1e9);
        System.out.printf(Locale.ROOT, "%-22s %9s %9s %12s %14s%n", "runtime", "launches", "seconds", "launches/s", "batch is x times");
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            double secs = e.getValue()[1] / 1e9;
            double rate = e.getValue()[0] / secs;
            System.out.printf(Locale.ROOT, "%-22s %9d %9.2f %12.1f %14.2f%n", e.getKey(), e.getValue()[0], secs, rate, baseRate / rate);
        }
        for (Map.Entry<String, String> e : skipped.entrySet()) {
            System.out.printf("%-22s skipped: %s%n", e.getKey(), e.getValue());
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
