package dev.isthmus.bench;

import dev.isthmus.batch.Launcher;
import dev.isthmus.batch.Task;
import dev.isthmus.plan.PlanException;
import dev.isthmus.plan.Program;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigWriter;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.DefaultConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-task Java work of `isthmus batch` besides the launch itself (issue 18): reading one
 * task line (jackson-core streaming) and making that task's program from the template's plan.
 * The template is `isthmus spec`'s config (the realistic bundle), terminal off, run as /bin/true.
 * {@code programForTemplate} is a task with no differences (the plan is reused as it is);
 * {@code programForArgs} a task with its own args and env (only the process steps are planned
 * again); {@code programForHostname} one with its own hostname (the whole config is planned again).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BatchTaskBenchmark {

    static final String LINE = "{\"id\": \"task-000123\", \"args\": [\"/bin/sh\", \"-c\", \"exec ./step --input /data/in/000123.dat\"],"
            + " \"env\": [\"TASK=123\", \"OMP_NUM_THREADS=1\"], \"cwd\": \"/\"}";

    private Path dir;
    private Launcher launcher;
    private Task same;
    private Task withArgs;
    private Task withHostname;

    @Setup
    public void setup() throws IOException, PlanException, dev.isthmus.spec.ConfigException {
        dir = Files.createTempDirectory("isthmus-jmh-batch");
        Path bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs/bin"));
        for (String d : new String[] {"proc", "dev", "sys", "tmp"}) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(d));
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ConfigWriter.write(DefaultConfigs.runcDefault(false), out);
        String json = out.toString(StandardCharsets.UTF_8)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"sh\"", "\"/bin/true\"");
        Files.writeString(bundle.resolve("config.json"), json, StandardCharsets.UTF_8);
        Config config = ConfigReader.read(bundle.resolve("config.json"));
        launcher = new Launcher(config, bundle, 1);
        same = Task.parse("{\"id\": \"t\"}", 1);
        withArgs = Task.parse(LINE, 1);
        withHostname = Task.parse("{\"id\": \"t\", \"hostname\": \"task-000123\"}", 1);
    }

    @TearDown
    public void tearDown() throws Exception {
        launcher.close();
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Task parseTaskLine() {
        return Task.parse(LINE, 123);
    }

    @Benchmark
    public Program programForTemplate() throws PlanException {
        return launcher.programFor(same);
    }

    @Benchmark
    public Program programForArgs() throws PlanException {
        return launcher.programFor(withArgs);
    }

    @Benchmark
    public Program programForHostname() throws PlanException {
        return launcher.programFor(withHostname);
    }
}
