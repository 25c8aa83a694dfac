package dev.isthmus.bench;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.ConfigValidator;
import dev.isthmus.spec.ConfigWriter;
import dev.isthmus.spec.DefaultConfigs;
import dev.isthmus.spec.IdMapping;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.Process;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse + validate of config.json: the streaming {@link ConfigReader} against jackson-databind's tree model mapped
 * onto the same records ({@link TreeConfigReader}). Three documents: what {@code runc spec} writes (2.5 kB), a
 * podman-style config (7.5 kB) and a large one (1,000 mounts, 2,000 env entries).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConfigParseBenchmark {
    @Param({"runc", "podman", "large"})
    public String config;

    private byte[] json;
    private Config parsed;

    @Setup(Level.Trial)
    public void load() throws IOException, ConfigException {
        json = switch (config) {
            case "runc" -> resource("runc-1.1.5-spec.json");
            case "podman" -> resource("podman.json");
            case "large" -> large();
            default -> throw new IllegalArgumentException(config);
        };
        // both readers must produce the same model, or the comparison means nothing
        Config streaming = ConfigReader.read(json, config);
        Config tree = TreeConfigReader.read(json);
        parsed = streaming;
        if (!streaming.equals(TreeConfigReader.readTreeToValue(json))) {
            throw new IllegalStateException("treeToValue and the streaming reader disagree on " + config);
        }
        if (!streaming.equals(tree)) {
            throw new IllegalStateException("the tree baseline and the streaming reader disagree on " + config);
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ConfigParseBenchmark.class.getResourceAsStream("/bench/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The runc default plus 1,000 bind mounts (some id-mapped) and 2,000 env entries. */
    static byte[] large() {
        Config base = DefaultConfigs.runcDefault(false, true, 0, 0);
        List<Mount> mounts = new ArrayList<>(base.mounts());
        for (int i = 0; i < 1000; i++) {
            List<IdMapping> maps = i % 10 == 0 ? List.of(new IdMapping(0, 100000, 65536)) : List.of();
            mounts.add(new Mount("/data/volume-" + i, "/srv/volumes/project-" + (i % 37) + "/volume-" + i, "bind",
                    List.of("rbind", i % 2 == 0 ? "ro" : "rw", "nosuid", "nodev", "rprivate"), maps, maps));
        }
        List<String> env = new ArrayList<>(base.process().env());
        for (int i = 0; i < 2000; i++) {
            env.add("TASK_VARIABLE_" + i + "=value-" + Integer.toHexString(i * 31) + "-"
                    + "x".repeat(i % 40));
        }
        Process p = base.process();
        Process big = new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), env, p.cwd(),
                p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCPUAffinity());
        return ConfigWriter.toBytes(new Config(base.ociVersion(), big, base.root(), base.hostname(), base.domainname(),
                mounts, base.hooks(), base.annotations(), base.linux()));
    }

    @Benchmark
    public Config streaming() throws ConfigException {
        return ConfigReader.read(json, "config.json");
    }

    /** The streaming reader without the validator, to see what each part costs. */
    @Benchmark
    public Config streamingParseOnly() throws ConfigException {
        return ConfigReader.parse(json, "config.json");
    }

    /** The validator alone, on an already parsed config. */
    @Benchmark
    public Config validateOnly() throws ConfigException {
        ConfigValidator.validate(parsed);
        return parsed;
    }

    private static final tools.jackson.core.json.JsonFactory TOKENS = tools.jackson.core.json.JsonFactory.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The floor for any jackson-core based reader: every token read, strings materialised, nothing built. */
    @Benchmark
    public long tokensOnly() {
        long n = 0;
        try (tools.jackson.core.JsonParser p = TOKENS.createParser(json)) {
            tools.jackson.core.JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == tools.jackson.core.JsonToken.VALUE_STRING || t == tools.jackson.core.JsonToken.PROPERTY_NAME) {
                    n += p.getString().length();
                }
            }
        }
        return n;
    }

    /** jackson-databind's readTree alone, without mapping to records or validating. */
    @Benchmark
    public Object treeReadOnly() {
        return TreeConfigReader.readTreeOnly(json);
    }

    /** readTree then treeToValue(Config.class): databind maps the tree onto the records by reflection. */
    @Benchmark
    public Config treeToValue() throws ConfigException {
        return TreeConfigReader.readTreeToValue(json);
    }

    @Benchmark
    public Config tree() throws ConfigException {
        return TreeConfigReader.read(json);
    }
}
