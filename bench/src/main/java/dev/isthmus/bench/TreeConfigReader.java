package dev.isthmus.bench;

import dev.isthmus.spec.Capabilities;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigValidator;
import dev.isthmus.spec.ConsoleSize;
import dev.isthmus.spec.ExecCpuAffinity;
import dev.isthmus.spec.Hook;
import dev.isthmus.spec.Hooks;
import dev.isthmus.spec.IdMapping;
import dev.isthmus.spec.IntelRdt;
import dev.isthmus.spec.IoPriority;
import dev.isthmus.spec.Linux;
import dev.isthmus.spec.LinuxDevice;
import dev.isthmus.spec.LinuxMemoryPolicy;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.LinuxNetDevice;
import dev.isthmus.spec.LinuxPersonality;
import dev.isthmus.spec.LinuxResources;
import dev.isthmus.spec.LinuxSeccomp;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.spec.Process;
import dev.isthmus.spec.Rlimit;
import dev.isthmus.spec.Root;
import dev.isthmus.spec.Scheduler;
import dev.isthmus.spec.TimeOffset;
import dev.isthmus.spec.User;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The baseline: jackson-databind's tree model ({@code readTree}) mapped by hand onto the same records, then the
 * same {@link ConfigValidator}. It checks less than the streaming reader (no type errors with paths, no required
 * primitives), which favours the baseline.
 */
final class TreeConfigReader {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private TreeConfigReader() {}

    static Config read(byte[] json) throws ConfigException {
        Config c = config(MAPPER.readTree(json));
        ConfigValidator.validate(c);
        return c;
    }

    /**
     * The other common tree approach: {@code treeToValue} onto the records by reflection. Fields whose Java name
     * differs from the spec name (ioPriority.class, execCPUAffinity.final) are lost, so it is only used on documents
     * without them.
     */
    static Config readTreeToValue(byte[] json) throws ConfigException {
        Config c = MAPPER.treeToValue(MAPPER.readTree(json), Config.class);
        ConfigValidator.validate(c);
        return c;
    }

    static JsonNode readTreeOnly(byte[] json) {
        return MAPPER.readTree(json);
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static String str(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return absent(n) ? null : n.stringValue();
    }

    private static boolean bool(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return !absent(n) && n.booleanValue();
    }

    private static Boolean boolOpt(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return absent(n) ? null : n.booleanValue();
    }

    private static Long num(JsonNode o, String f) {
        JsonNode n = o.get(f);
        if (absent(n)) {
            return null;
        }
        return n.canConvertToLong() ? n.longValue() : n.bigIntegerValue().longValue();
    }

    private static long num0(JsonNode o, String f) {
        Long v = num(o, f);
        return v == null ? 0 : v;
    }

    private static Integer int32(JsonNode o, String f) {
        Long v = num(o, f);
        return v == null ? null : v.intValue();
    }

    private static List<String> strings(JsonNode o, String f) {
        return list(o, f, JsonNode::stringValue);
    }

    private static <T> List<T> list(JsonNode o, String f, Function<JsonNode, T> element) {
        JsonNode n = o.get(f);
        if (absent(n)) {
            return List.of();
        }
        List<T> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            out.add(element.apply(e));
        }
        return out;
    }

    private static <T> Map<String, T> map(JsonNode o, String f, Function<JsonNode, T> value) {
        JsonNode n = o.get(f);
        if (absent(n)) {
            return Map.of();
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            out.put(e.getKey(), value.apply(e.getValue()));
        }
        return out;
    }

    private static <T> T obj(JsonNode o, String f, Function<JsonNode, T> mapper) {
        JsonNode n = o.get(f);
        return absent(n) ? null : mapper.apply(n);
    }

    private static Config config(JsonNode n) {
        return new Config(str(n, "ociVersion"), obj(n, "process", TreeConfigReader::process),
                obj(n, "root", r -> new Root(str(r, "path"), bool(r, "readonly"))), str(n, "hostname"),
                str(n, "domainname"), list(n, "mounts", TreeConfigReader::mount), obj(n, "hooks", TreeConfigReader::hooks),
                map(n, "annotations", JsonNode::stringValue), obj(n, "linux", TreeConfigReader::linux));
    }

    private static Process process(JsonNode p) {
        return new Process(bool(p, "terminal"),
                obj(p, "consoleSize", c -> new ConsoleSize(num0(c, "height"), num0(c, "width"))),
                obj(p, "user", u -> new User(num0(u, "uid"), num0(u, "gid"), int32(u, "umask"),
                        list(u, "additionalGids", JsonNode::longValue), str(u, "username"))),
                strings(p, "args"), str(p, "commandLine"), strings(p, "env"), str(p, "cwd"),
                obj(p, "capabilities", c -> new Capabilities(strings(c, "bounding"), strings(c, "effective"),
                        strings(c, "inheritable"), strings(c, "permitted"), strings(c, "ambient"))),
                list(p, "rlimits", r -> new Rlimit(str(r, "type"), num0(r, "hard"), num0(r, "soft"))),
                bool(p, "noNewPrivileges"), str(p, "apparmorProfile"), int32(p, "oomScoreAdj"),
                str(p, "selinuxLabel"),
                obj(p, "ioPriority", i -> new IoPriority(str(i, "class"), (int) num0(i, "priority"))),
                obj(p, "scheduler", s -> new Scheduler(str(s, "policy"), int32(s, "nice"), int32(s, "priority"),
                        strings(s, "flags"), num(s, "runtime"), num(s, "deadline"), num(s, "period"))),
                obj(p, "execCPUAffinity", a -> new ExecCpuAffinity(str(a, "initial"), str(a, "final"))));
    }

    private static IdMapping idMapping(JsonNode m) {
        return new IdMapping(num0(m, "containerID"), num0(m, "hostID"), num0(m, "size"));
    }

    private static Mount mount(JsonNode m) {
        return new Mount(str(m, "destination"), str(m, "source"), str(m, "type"), strings(m, "options"),
                list(m, "uidMappings", TreeConfigReader::idMapping), list(m, "gidMappings", TreeConfigReader::idMapping));
    }

    private static Hook hook(JsonNode h) {
        return new Hook(str(h, "path"), strings(h, "args"), strings(h, "env"), int32(h, "timeout"));
    }

    private static Hooks hooks(JsonNode h) {
        return new Hooks(list(h, "prestart", TreeConfigReader::hook), list(h, "createRuntime", TreeConfigReader::hook),
                list(h, "createContainer", TreeConfigReader::hook), list(h, "startContainer", TreeConfigReader::hook),
                list(h, "poststart", TreeConfigReader::hook), list(h, "poststop", TreeConfigReader::hook));
    }

    private static Linux linux(JsonNode l) {
        return new Linux(
                list(l, "namespaces", n -> new LinuxNamespace(NamespaceType.fromSpecName(str(n, "type")), str(n, "path"))),
                list(l, "uidMappings", TreeConfigReader::idMapping), list(l, "gidMappings", TreeConfigReader::idMapping),
                list(l, "devices", d -> new LinuxDevice(str(d, "path"), str(d, "type"), num0(d, "major"),
                        num0(d, "minor"), int32(d, "fileMode"), num(d, "uid"), num(d, "gid"))),
                str(l, "cgroupsPath"), obj(l, "resources", TreeConfigReader::resources),
                map(l, "sysctl", JsonNode::stringValue), obj(l, "seccomp", TreeConfigReader::seccomp),
                str(l, "rootfsPropagation"), strings(l, "maskedPaths"), strings(l, "readonlyPaths"),
                str(l, "mountLabel"),
                obj(l, "personality", p -> new LinuxPersonality(str(p, "domain"), strings(p, "flags"))),
                obj(l, "intelRdt", r -> new IntelRdt(str(r, "closID"), str(r, "l3CacheSchema"), str(r, "memBwSchema"),
                        strings(r, "schemata"), boolOpt(r, "enableMonitoring"))),
                map(l, "timeOffsets", t -> new TimeOffset(num(t, "secs"), num(t, "nanosecs"))),
                map(l, "netDevices", d -> new LinuxNetDevice(str(d, "name"))),
                obj(l, "memoryPolicy", m -> new LinuxMemoryPolicy(str(m, "mode"), str(m, "nodes"), strings(m, "flags"))));
    }

    private static LinuxResources.ThrottleDevice throttle(JsonNode t) {
        return new LinuxResources.ThrottleDevice(num0(t, "major"), num0(t, "minor"), num0(t, "rate"));
    }

    private static LinuxResources resources(JsonNode r) {
        return new LinuxResources(
                list(r, "devices", d -> new LinuxResources.DeviceCgroup(bool(d, "allow"), str(d, "type"),
                        num(d, "major"), num(d, "minor"), str(d, "access"))),
                obj(r, "memory", m -> new LinuxResources.Memory(num(m, "limit"), num(m, "reservation"), num(m, "swap"),
                        num(m, "kernel"), num(m, "kernelTCP"), num(m, "swappiness"), boolOpt(m, "disableOOMKiller"),
                        boolOpt(m, "useHierarchy"), boolOpt(m, "checkBeforeUpdate"))),
                obj(r, "cpu", c -> new LinuxResources.Cpu(num(c, "shares"), num(c, "quota"), num(c, "burst"),
                        num(c, "period"), num(c, "realtimeRuntime"), num(c, "realtimePeriod"), str(c, "cpus"),
                        str(c, "mems"), num(c, "idle"))),
                obj(r, "pids", p -> new LinuxResources.Pids(num(p, "limit"))),
                obj(r, "blockIO", b -> new LinuxResources.BlockIo(int32(b, "weight"), int32(b, "leafWeight"),
                        list(b, "weightDevice", w -> new LinuxResources.WeightDevice(num0(w, "major"), num0(w, "minor"),
                                int32(w, "weight"), int32(w, "leafWeight"))),
                        list(b, "throttleReadBpsDevice", TreeConfigReader::throttle),
                        list(b, "throttleWriteBpsDevice", TreeConfigReader::throttle),
                        list(b, "throttleReadIOPSDevice", TreeConfigReader::throttle),
                        list(b, "throttleWriteIOPSDevice", TreeConfigReader::throttle))),
                list(r, "hugepageLimits", h -> new LinuxResources.HugepageLimit(str(h, "pageSize"), num0(h, "limit"))),
                obj(r, "network", n -> new LinuxResources.Network(num(n, "classID"), list(n, "priorities",
                        p -> new LinuxResources.InterfacePriority(str(p, "name"), num0(p, "priority"))))),
                map(r, "rdma", d -> new LinuxResources.Rdma(num(d, "hcaHandles"), num(d, "hcaObjects"))),
                map(r, "unified", JsonNode::stringValue));
    }

    private static LinuxSeccomp seccomp(JsonNode s) {
        return new LinuxSeccomp(str(s, "defaultAction"), num(s, "defaultErrnoRet"), strings(s, "architectures"),
                strings(s, "flags"), str(s, "listenerPath"), str(s, "listenerMetadata"),
                list(s, "syscalls", c -> new LinuxSeccomp.Syscall(strings(c, "names"), str(c, "action"),
                        num(c, "errnoRet"), list(c, "args", a -> new LinuxSeccomp.Arg(num0(a, "index"),
                                num0(a, "value"), num(a, "valueTwo"), str(a, "op"))))));
    }
}
