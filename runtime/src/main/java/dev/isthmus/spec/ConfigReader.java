package dev.isthmus.spec;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.sym.PropertyNameMatcher;
import tools.jackson.core.util.Named;

/**
 * Reads {@code config.json} with jackson-core's streaming parser into {@link Config}, then validates it with
 * {@link ConfigValidator}. Unknown fields are skipped (the spec requires extensions to be ignored), duplicate
 * fields are rejected, and every error names a JSON path, a line and column and a reason, never a value.
 */
public final class ConfigReader {
    /** Limits of the shared factory. A runc default config nests 5 deep and is about 2.5 kB. */
    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_STRING_LENGTH = 4 << 20;
    public static final long MAX_DOCUMENT_LENGTH = 32L << 20;
    public static final int MAX_NAME_LENGTH = 64 << 10;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxNumberLength(64)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private ConfigReader() {}

    /** The shared factory (limits, duplicate detection), for other JSON the runtime reads. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /** Reads and validates the file; the source name in errors is the path as given. */
    public static Config read(Path configJson) throws ConfigException {
        String source = configJson.toString();
        byte[] bytes;
        try {
            if (Files.size(configJson) > MAX_DOCUMENT_LENGTH) {
                throw new ConfigException(source, "", 0, 0, "file is larger than " + MAX_DOCUMENT_LENGTH + " bytes");
            }
            bytes = Files.readAllBytes(configJson);
        } catch (IOException e) {
            throw new ConfigException(source, "", 0, 0, "cannot read the file: " + dev.isthmus.sys.Errno.reason(e));
        }
        return read(bytes, source);
    }

    /** Reads and validates a document; {@code sourceName} (e.g. {@code config.json}) prefixes error messages. */
    public static Config read(byte[] json, String sourceName) throws ConfigException {
        Config config = parse(json, sourceName);
        try {
            ConfigValidator.validate(config);
        } catch (ConfigException e) {
            int[] at = JsonPaths.locate(json, e.path());
            throw e.at(sourceName, at[0], at[1]);
        }
        return config;
    }

    /** Parses without validating: the shape and types are checked, the rules of {@link ConfigValidator} are not. */
    public static Config parse(byte[] json, String sourceName) throws ConfigException {
        JsonParser p = null;
        try {
            p = FACTORY.createParser(json);
            Parse parse = new Parse(p, sourceName);
            return parse.document();
        } catch (Fail f) {
            throw f.exception;
        } catch (StreamConstraintsException e) {
            throw error(sourceName, p, e, limitReason(e.getOriginalMessage()));
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage();
            boolean dup = msg != null && msg.startsWith("Duplicate Object property");
            throw error(sourceName, p, e, dup ? "duplicate field" : "malformed JSON");
        } finally {
            if (p != null) {
                p.close();
            }
        }
    }

    private static ConfigException error(String source, JsonParser p, JacksonException e, String reason) {
        TokenStreamLocation loc = e.getLocation();
        String path = "";
        if (p != null) {
            try {
                // for a duplicate the context already holds the repeated name
                path = JsonPaths.current(p);
            } catch (RuntimeException ignored) {
                // a best-effort path: the location still says where
            }
        }
        int line = loc == null ? 0 : Math.max(0, loc.getLineNr());
        int column = loc == null ? 0 : Math.max(0, loc.getColumnNr());
        return new ConfigException(source, path, line, column, reason);
    }

    private static String limitReason(String message) {
        String m = message == null ? "" : message;
        if (m.contains("nesting depth")) {
            return "nested deeper than " + MAX_NESTING_DEPTH + " levels";
        } else if (m.startsWith("String value length")) {
            return "string longer than " + MAX_STRING_LENGTH + " characters";
        } else if (m.startsWith("Document length")) {
            return "document longer than " + MAX_DOCUMENT_LENGTH + " bytes";
        } else if (m.startsWith("Name length")) {
            return "field name longer than " + MAX_NAME_LENGTH + " characters";
        } else if (m.startsWith("Number value length")) {
            return "number with too many digits";
        }
        return "document exceeds the reader's limits";
    }

    /** Internal carrier so the recursive descent need not declare checked exceptions in lambdas. */
    static final class Fail extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConfigException exception;

        Fail(ConfigException exception) {
            super(null, null, false, false);
            this.exception = exception;
        }
    }

    @FunctionalInterface
    interface ValueReader<T> {
        T read();
    }

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** One parse: recursive descent, one method per spec object, each starting on the value's first token. */
    private static final class Parse {
        private final JsonParser p;
        private final String source;

        Parse(JsonParser p, String source) {
            this.p = p;
            this.source = source;
        }

        // ---- field names ----

        /**
         * The field names one object's switch knows, as a PropertyNameMatcher of the shared factory:
         * {@link #nextName(Fields)} matches them on the parser's raw bytes (nextNameMatch), without
         * the symbol-table lookup that nextName() makes for every name (issue 16: the reader's JMH
         * target against the tokensOnly floor). A name not listed is skipped as before.
         */
        private static final class Fields {
            final PropertyNameMatcher matcher;
            final String[] names;

            Fields(String... names) {
                List<Named> named = new ArrayList<>(names.length);
                for (String n : names) {
                    named.add(Named.fromString(n));
                }
                // the names are string literals, so already interned
                this.matcher = FACTORY.constructNameMatcher(named, true);
                this.names = matcher.nameLookup();
            }
        }

        private static final Fields F_CONFIG = new Fields("ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations", "linux");
        private static final Fields F_PROCESS = new Fields("terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits", "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "selinuxLabel", "ioPriority", "scheduler", "execCPUAffinity");
        private static final Fields F_CONSOLE_SIZE = new Fields("height", "width");
        private static final Fields F_USER = new Fields("uid", "gid", "umask", "additionalGids", "username");
        private static final Fields F_CAPABILITIES = new Fields("bounding", "effective", "inheritable", "permitted", "ambient");
        private static final Fields F_RLIMIT = new Fields("type", "hard", "soft");
        private static final Fields F_IO_PRIORITY = new Fields("class", "priority");
        private static final Fields F_SCHEDULER = new Fields("policy", "nice", "priority", "flags", "runtime", "deadline", "period");
        private static final Fields F_EXEC_CPU_AFFINITY = new Fields("initial", "final");
        private static final Fields F_ROOT = new Fields("path", "readonly");
        private static final Fields F_MOUNT = new Fields("destination", "source", "type", "options", "uidMappings", "gidMappings");
        private static final Fields F_ID_MAPPING = new Fields("containerID", "hostID", "size");
        private static final Fields F_HOOKS = new Fields("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
        private static final Fields F_HOOK = new Fields("path", "args", "env", "timeout");
        private static final Fields F_LINUX = new Fields("namespaces", "uidMappings", "gidMappings", "devices", "cgroupsPath", "resources", "sysctl", "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "personality", "intelRdt", "timeOffsets", "netDevices", "memoryPolicy");
        private static final Fields F_NAMESPACE = new Fields("type", "path");
        private static final Fields F_DEVICE = new Fields("path", "type", "major", "minor", "fileMode", "uid", "gid");
        private static final Fields F_RESOURCES = new Fields("devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma", "unified");
        private static final Fields F_DEVICE_CGROUP = new Fields("allow", "type", "major", "minor", "access");
        private static final Fields F_MEMORY = new Fields("limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate");
        private static final Fields F_CPU = new Fields("shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle");
        private static final Fields F_PIDS = new Fields("limit");
        private static final Fields F_BLOCK_IO = new Fields("weight", "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice");
        private static final Fields F_WEIGHT_DEVICE = new Fields("major", "minor", "weight", "leafWeight");
        private static final Fields F_THROTTLE_DEVICE = new Fields("major", "minor", "rate");
        private static final Fields F_HUGEPAGE_LIMIT = new Fields("pageSize", "limit");
        private static final Fields F_NETWORK = new Fields("classID", "priorities");
        private static final Fields F_INTERFACE_PRIORITY = new Fields("name", "priority");
        private static final Fields F_RDMA = new Fields("hcaHandles", "hcaObjects");
        private static final Fields F_SECCOMP = new Fields("defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata", "syscalls");
        private static final Fields F_SYSCALL = new Fields("names", "action", "errnoRet", "args");
        private static final Fields F_SECCOMP_ARG = new Fields("index", "value", "valueTwo", "op");
        private static final Fields F_PERSONALITY = new Fields("domain", "flags");
        private static final Fields F_INTEL_RDT = new Fields("closID", "l3CacheSchema", "memBwSchema", "schemata", "enableMonitoring");
        private static final Fields F_TIME_OFFSET = new Fields("secs", "nanosecs");
        private static final Fields F_NET_DEVICE = new Fields("name");
        private static final Fields F_MEMORY_POLICY = new Fields("mode", "nodes", "flags");

        /**
         * The next field name of the current object, null at its end: one of {@code fields}' own
         * Strings when it is one of them (the switch's equals is then an identity check), else
         * the parser's.
         */
        String nextName(Fields fields) {
            int i = p.nextNameMatch(fields.matcher);
            if (i >= 0) {
                return fields.names[i];
            }
            return i == PropertyNameMatcher.MATCH_UNKNOWN_NAME ? p.currentName() : null;
        }

        Config document() {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw fail(t == null ? "empty document" : "expected a JSON object");
            }
            Config c = config();
            if (p.nextToken() != null) {
                throw fail("unexpected content after the configuration object");
            }
            return c;
        }

        // ---- errors ----

        Fail fail(String reason) {
            TokenStreamLocation loc = p.currentTokenLocation();
            return new Fail(new ConfigException(source, JsonPaths.current(p), loc.getLineNr(), loc.getColumnNr(), reason));
        }

        /** On END_OBJECT: the object lacks a required field. */
        Fail missing(String field) {
            TokenStreamLocation loc = p.currentTokenLocation();
            return new Fail(new ConfigException(source, JsonPaths.field(JsonPaths.current(p), field),
                    loc.getLineNr(), loc.getColumnNr(), "required field is missing"));
        }

        // ---- scalars (each reads the current token) ----

        boolean isNull() {
            return p.currentToken() == JsonToken.VALUE_NULL;
        }

        boolean startObject() {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                return true;
            }
            if (t == JsonToken.VALUE_NULL) {
                return false;
            }
            throw fail("expected an object");
        }

        String str() {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                return p.getString();
            }
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            throw fail("expected a string");
        }

        boolean bool() {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE) {
                return true;
            }
            if (t == JsonToken.VALUE_FALSE || t == JsonToken.VALUE_NULL) {
                return false;
            }
            throw fail("expected true or false");
        }

        Boolean boolOpt() {
            return isNull() ? null : bool();
        }

        private void requireInt() {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw fail(t == JsonToken.VALUE_NUMBER_FLOAT ? "expected an integer, not a fraction" : "expected an integer");
            }
        }

        Integer int32() {
            if (isNull()) {
                return null;
            }
            requireInt();
            if (p.getNumberType() != JsonParser.NumberType.INT) {
                throw fail("integer out of range for int32");
            }
            return p.getIntValue();
        }

        Long int64() {
            if (isNull()) {
                return null;
            }
            requireInt();
            JsonParser.NumberType nt = p.getNumberType();
            if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                throw fail("integer out of range for int64");
            }
            return p.getLongValue();
        }

        Long uint32() {
            Long v = int64Quiet("uint32");
            if (v != null && (v < 0 || v > 0xFFFF_FFFFL)) {
                throw fail("integer out of range for uint32");
            }
            return v;
        }

        Integer uint16() {
            Long v = int64Quiet("uint16");
            if (v != null && (v < 0 || v > 0xFFFF)) {
                throw fail("integer out of range for uint16");
            }
            return v == null ? null : v.intValue();
        }

        private Long int64Quiet(String type) {
            if (isNull()) {
                return null;
            }
            requireInt();
            JsonParser.NumberType nt = p.getNumberType();
            if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                throw fail("integer out of range for " + type);
            }
            return p.getLongValue();
        }

        /** uint64 held as the bits of a long (values above Long.MAX_VALUE are negative). */
        Long uint64() {
            if (isNull()) {
                return null;
            }
            requireInt();
            JsonParser.NumberType nt = p.getNumberType();
            if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
                long v = p.getLongValue();
                if (v < 0) {
                    throw fail("integer out of range for uint64");
                }
                return v;
            }
            BigInteger b = p.getBigIntegerValue();
            if (b.signum() < 0 || b.compareTo(UINT64_MAX) > 0) {
                throw fail("integer out of range for uint64");
            }
            return b.longValue();
        }

        List<String> strings() {
            if (isNull()) {
                return List.of();
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("expected an array of strings");
            }
            ArrayList<String> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_STRING) {
                    throw fail("expected a string");
                }
                out.add(p.getString());
            }
            return out;
        }

        <T> List<T> list(ValueReader<T> element) {
            if (isNull()) {
                return List.of();
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("expected an array");
            }
            ArrayList<T> out = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                T v = element.read();
                if (v == null) {
                    throw fail("null is not allowed here");
                }
                out.add(v);
            }
            return out;
        }

        <V> Map<String, V> map(ValueReader<V> value) {
            if (!startObject()) {
                return Map.of();
            }
            LinkedHashMap<String, V> out = new LinkedHashMap<>();
            String key;
            while ((key = p.nextName()) != null) {
                p.nextToken();
                V v = value.read();
                if (v == null) {
                    throw fail("null is not allowed here");
                }
                out.put(key, v);
            }
            return out;
        }

        Map<String, String> stringMap() {
            return map(() -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw fail("expected a string");
                }
                return p.getString();
            });
        }

        long required(Long v, String field) {
            if (v == null) {
                throw missing(field);
            }
            return v;
        }

        /** Skips the current value, whatever it is (extensions and other platforms). */
        void skip() {
            p.skipChildren();
        }

        // ---- objects ----

        Config config() {
            String ociVersion = null;
            Process process = null;
            Root root = null;
            String hostname = null;
            String domainname = null;
            List<Mount> mounts = List.of();
            Hooks hooks = null;
            Map<String, String> annotations = Map.of();
            Linux linux = null;
            String f;
            while ((f = nextName(F_CONFIG)) != null) {
                p.nextToken();
                switch (f) {
                    case "ociVersion" -> ociVersion = str();
                    case "process" -> process = process();
                    case "root" -> root = root();
                    case "hostname" -> hostname = str();
                    case "domainname" -> domainname = str();
                    case "mounts" -> mounts = list(this::mount);
                    case "hooks" -> hooks = hooks();
                    case "annotations" -> annotations = stringMap();
                    case "linux" -> linux = linux();
                    default -> skip();
                }
            }
            return new Config(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
        }

        Process process() {
            if (!startObject()) {
                return null;
            }
            boolean terminal = false;
            ConsoleSize consoleSize = null;
            User user = null;
            List<String> args = List.of();
            String commandLine = null;
            List<String> env = List.of();
            String cwd = null;
            Capabilities capabilities = null;
            List<Rlimit> rlimits = List.of();
            boolean noNewPrivileges = false;
            String apparmorProfile = null;
            Integer oomScoreAdj = null;
            String selinuxLabel = null;
            IoPriority ioPriority = null;
            Scheduler scheduler = null;
            ExecCpuAffinity execCpuAffinity = null;
            String f;
            while ((f = nextName(F_PROCESS)) != null) {
                p.nextToken();
                switch (f) {
                    case "terminal" -> terminal = bool();
                    case "consoleSize" -> consoleSize = consoleSize();
                    case "user" -> user = user();
                    case "args" -> args = strings();
                    case "commandLine" -> commandLine = str();
                    case "env" -> env = strings();
                    case "cwd" -> cwd = str();
                    case "capabilities" -> capabilities = capabilities();
                    case "rlimits" -> rlimits = list(this::rlimit);
                    case "noNewPrivileges" -> noNewPrivileges = bool();
                    case "apparmorProfile" -> apparmorProfile = str();
                    case "oomScoreAdj" -> oomScoreAdj = int32();
                    case "selinuxLabel" -> selinuxLabel = str();
                    case "ioPriority" -> ioPriority = ioPriority();
                    case "scheduler" -> scheduler = scheduler();
                    case "execCPUAffinity" -> execCpuAffinity = execCpuAffinity();
                    default -> skip();
                }
            }
            return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits,
                    noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel, ioPriority, scheduler, execCpuAffinity);
        }

        ConsoleSize consoleSize() {
            if (!startObject()) {
                return null;
            }
            Long height = null;
            Long width = null;
            String f;
            while ((f = nextName(F_CONSOLE_SIZE)) != null) {
                p.nextToken();
                switch (f) {
                    case "height" -> height = uint32();
                    case "width" -> width = uint32();
                    default -> skip();
                }
            }
            return new ConsoleSize(required(height, "height"), required(width, "width"));
        }

        User user() {
            if (!startObject()) {
                return null;
            }
            Long uid = null;
            Long gid = null;
            Long umask = null;
            List<Long> additionalGids = List.of();
            String username = null;
            String f;
            while ((f = nextName(F_USER)) != null) {
                p.nextToken();
                switch (f) {
                    case "uid" -> uid = uint32();
                    case "gid" -> gid = uint32();
                    case "umask" -> umask = uint32();
                    case "additionalGids" -> additionalGids = list(this::uint32);
                    case "username" -> username = str();
                    default -> skip();
                }
            }
            if (umask != null && umask > 0777) {
                throw new Fail(new ConfigException(source, JsonPaths.field(JsonPaths.current(p), "umask"),
                        p.currentTokenLocation().getLineNr(), p.currentTokenLocation().getColumnNr(),
                        "umask must be between 0 and 0777 (511)"));
            }
            return new User(required(uid, "uid"), required(gid, "gid"), umask == null ? null : umask.intValue(),
                    additionalGids, username);
        }

        Capabilities capabilities() {
            if (!startObject()) {
                return null;
            }
            List<String> bounding = List.of();
            List<String> effective = List.of();
            List<String> inheritable = List.of();
            List<String> permitted = List.of();
            List<String> ambient = List.of();
            String f;
            while ((f = nextName(F_CAPABILITIES)) != null) {
                p.nextToken();
                switch (f) {
                    case "bounding" -> bounding = strings();
                    case "effective" -> effective = strings();
                    case "inheritable" -> inheritable = strings();
                    case "permitted" -> permitted = strings();
                    case "ambient" -> ambient = strings();
                    default -> skip();
                }
            }
            return new Capabilities(bounding, effective, inheritable, permitted, ambient);
        }

        Rlimit rlimit() {
            if (!startObject()) {
                return null;
            }
            String type = null;
            Long hard = null;
            Long soft = null;
            String f;
            while ((f = nextName(F_RLIMIT)) != null) {
                p.nextToken();
                switch (f) {
                    case "type" -> type = str();
                    case "hard" -> hard = uint64();
                    case "soft" -> soft = uint64();
                    default -> skip();
                }
            }
            return new Rlimit(type, required(hard, "hard"), required(soft, "soft"));
        }

        IoPriority ioPriority() {
            if (!startObject()) {
                return null;
            }
            String ioClass = null;
            Integer priority = null;
            String f;
            while ((f = nextName(F_IO_PRIORITY)) != null) {
                p.nextToken();
                switch (f) {
                    case "class" -> ioClass = str();
                    case "priority" -> priority = int32();
                    default -> skip();
                }
            }
            if (priority == null) {
                throw missing("priority");
            }
            return new IoPriority(ioClass, priority);
        }

        Scheduler scheduler() {
            if (!startObject()) {
                return null;
            }
            String policy = null;
            Integer nice = null;
            Integer priority = null;
            List<String> flags = List.of();
            Long runtime = null;
            Long deadline = null;
            Long period = null;
            String f;
            while ((f = nextName(F_SCHEDULER)) != null) {
                p.nextToken();
                switch (f) {
                    case "policy" -> policy = str();
                    case "nice" -> nice = int32();
                    case "priority" -> priority = int32();
                    case "flags" -> flags = strings();
                    case "runtime" -> runtime = uint64();
                    case "deadline" -> deadline = uint64();
                    case "period" -> period = uint64();
                    default -> skip();
                }
            }
            return new Scheduler(policy, nice, priority, flags, runtime, deadline, period);
        }

        ExecCpuAffinity execCpuAffinity() {
            if (!startObject()) {
                return null;
            }
            String initial = null;
            String fin = null;
            String f;
            while ((f = nextName(F_EXEC_CPU_AFFINITY)) != null) {
                p.nextToken();
                switch (f) {
                    case "initial" -> initial = str();
                    case "final" -> fin = str();
                    default -> skip();
                }
            }
            return new ExecCpuAffinity(initial, fin);
        }

        Root root() {
            if (!startObject()) {
                return null;
            }
            String path = null;
            boolean readonly = false;
            String f;
            while ((f = nextName(F_ROOT)) != null) {
                p.nextToken();
                switch (f) {
                    case "path" -> path = str();
                    case "readonly" -> readonly = bool();
                    default -> skip();
                }
            }
            return new Root(path, readonly);
        }

        Mount mount() {
            if (!startObject()) {
                return null;
            }
            String destination = null;
            String src = null;
            String type = null;
            List<String> options = List.of();
            List<IdMapping> uidMappings = List.of();
            List<IdMapping> gidMappings = List.of();
            String f;
            while ((f = nextName(F_MOUNT)) != null) {
                p.nextToken();
                switch (f) {
                    case "destination" -> destination = str();
                    case "source" -> src = str();
                    case "type" -> type = str();
                    case "options" -> options = strings();
                    case "uidMappings" -> uidMappings = list(this::idMapping);
                    case "gidMappings" -> gidMappings = list(this::idMapping);
                    default -> skip();
                }
            }
            return new Mount(destination, src, type, options, uidMappings, gidMappings);
        }

        IdMapping idMapping() {
            if (!startObject()) {
                return null;
            }
            Long containerId = null;
            Long hostId = null;
            Long size = null;
            String f;
            while ((f = nextName(F_ID_MAPPING)) != null) {
                p.nextToken();
                switch (f) {
                    case "containerID" -> containerId = uint32();
                    case "hostID" -> hostId = uint32();
                    case "size" -> size = uint32();
                    default -> skip();
                }
            }
            return new IdMapping(required(containerId, "containerID"), required(hostId, "hostID"),
                    required(size, "size"));
        }

        Hooks hooks() {
            if (!startObject()) {
                return null;
            }
            List<Hook> prestart = List.of();
            List<Hook> createRuntime = List.of();
            List<Hook> createContainer = List.of();
            List<Hook> startContainer = List.of();
            List<Hook> poststart = List.of();
            List<Hook> poststop = List.of();
            String f;
            while ((f = nextName(F_HOOKS)) != null) {
                p.nextToken();
                switch (f) {
                    case "prestart" -> prestart = list(this::hook);
                    case "createRuntime" -> createRuntime = list(this::hook);
                    case "createContainer" -> createContainer = list(this::hook);
                    case "startContainer" -> startContainer = list(this::hook);
                    case "poststart" -> poststart = list(this::hook);
                    case "poststop" -> poststop = list(this::hook);
                    default -> skip();
                }
            }
            return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
        }

        Hook hook() {
            if (!startObject()) {
                return null;
            }
            String path = null;
            List<String> args = List.of();
            List<String> env = List.of();
            Integer timeout = null;
            String f;
            while ((f = nextName(F_HOOK)) != null) {
                p.nextToken();
                switch (f) {
                    case "path" -> path = str();
                    case "args" -> args = strings();
                    case "env" -> env = strings();
                    case "timeout" -> timeout = int32();
                    default -> skip();
                }
            }
            return new Hook(path, args, env, timeout);
        }

        Linux linux() {
            if (!startObject()) {
                return null;
            }
            List<LinuxNamespace> namespaces = List.of();
            List<IdMapping> uidMappings = List.of();
            List<IdMapping> gidMappings = List.of();
            List<LinuxDevice> devices = List.of();
            String cgroupsPath = null;
            LinuxResources resources = null;
            Map<String, String> sysctl = Map.of();
            LinuxSeccomp seccomp = null;
            String rootfsPropagation = null;
            List<String> maskedPaths = List.of();
            List<String> readonlyPaths = List.of();
            String mountLabel = null;
            LinuxPersonality personality = null;
            IntelRdt intelRdt = null;
            Map<String, TimeOffset> timeOffsets = Map.of();
            Map<String, LinuxNetDevice> netDevices = Map.of();
            LinuxMemoryPolicy memoryPolicy = null;
            String f;
            while ((f = nextName(F_LINUX)) != null) {
                p.nextToken();
                switch (f) {
                    case "namespaces" -> namespaces = list(this::namespace);
                    case "uidMappings" -> uidMappings = list(this::idMapping);
                    case "gidMappings" -> gidMappings = list(this::idMapping);
                    case "devices" -> devices = list(this::device);
                    case "cgroupsPath" -> cgroupsPath = str();
                    case "resources" -> resources = resources();
                    case "sysctl" -> sysctl = stringMap();
                    case "seccomp" -> seccomp = seccomp();
                    case "rootfsPropagation" -> rootfsPropagation = str();
                    case "maskedPaths" -> maskedPaths = strings();
                    case "readonlyPaths" -> readonlyPaths = strings();
                    case "mountLabel" -> mountLabel = str();
                    case "personality" -> personality = personality();
                    case "intelRdt" -> intelRdt = intelRdt();
                    case "timeOffsets" -> timeOffsets = map(this::timeOffset);
                    case "netDevices" -> netDevices = map(this::netDevice);
                    case "memoryPolicy" -> memoryPolicy = memoryPolicy();
                    default -> skip();
                }
            }
            return new Linux(namespaces, uidMappings, gidMappings, devices, cgroupsPath, resources, sysctl, seccomp,
                    rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, intelRdt, timeOffsets,
                    netDevices, memoryPolicy);
        }

        LinuxNamespace namespace() {
            if (!startObject()) {
                return null;
            }
            NamespaceType type = null;
            String path = null;
            String f;
            while ((f = nextName(F_NAMESPACE)) != null) {
                p.nextToken();
                switch (f) {
                    case "type" -> {
                        String name = str();
                        type = NamespaceType.lookup(name);
                        if (type == null) {
                            throw fail(name == null ? "expected a namespace type" : "unknown namespace type");
                        }
                    }
                    case "path" -> path = str();
                    default -> skip();
                }
            }
            if (type == null) {
                throw missing("type");
            }
            return new LinuxNamespace(type, path);
        }

        /** stat(2)'s S_IFMT bits of a linux.devices[].type, or -1 for an unknown type. */
        private static long fileTypeBits(String type) {
            return switch (type == null ? "" : type) {
                case "c", "u" -> 0020000;
                case "b" -> 0060000;
                case "p" -> 0010000;
                default -> -1;
            };
        }

        LinuxDevice device() {
            if (!startObject()) {
                return null;
            }
            String path = null;
            String type = null;
            Long major = null;
            Long minor = null;
            Long fileMode = null;
            Long uid = null;
            Long gid = null;
            String f;
            while ((f = nextName(F_DEVICE)) != null) {
                p.nextToken();
                switch (f) {
                    case "path" -> path = str();
                    case "type" -> type = str();
                    case "major" -> major = int64();
                    case "minor" -> minor = int64();
                    case "fileMode" -> fileMode = uint32();
                    case "uid" -> uid = uint32();
                    case "gid" -> gid = uint32();
                    default -> skip();
                }
            }
            if (!"p".equals(type)) {
                required(major, "major");
                required(minor, "minor");
            }
            if (fileMode != null && fileMode > 07777 && (fileMode & ~07777L) != fileTypeBits(type)) {
                // podman (as runc accepts) puts the file-type bits in: S_IFCHR|0666 for a "c" device
                throw new Fail(new ConfigException(source, JsonPaths.field(JsonPaths.current(p), "fileMode"),
                        p.currentTokenLocation().getLineNr(), p.currentTokenLocation().getColumnNr(),
                        "fileMode must be a permission mode between 0 and 07777 (4095), optionally with the file-type bits of "
                                + "the device's type (S_IFCHR 020000 for c and u, S_IFBLK 060000 for b, S_IFIFO 010000 for p)"));
            }
            return new LinuxDevice(path, type, major == null ? 0 : major, minor == null ? 0 : minor,
                    fileMode == null ? null : fileMode.intValue(), uid, gid);
        }

        LinuxResources resources() {
            if (!startObject()) {
                return null;
            }
            List<LinuxResources.DeviceCgroup> devices = List.of();
            LinuxResources.Memory memory = null;
            LinuxResources.Cpu cpu = null;
            LinuxResources.Pids pids = null;
            LinuxResources.BlockIo blockIo = null;
            List<LinuxResources.HugepageLimit> hugepageLimits = List.of();
            LinuxResources.Network network = null;
            Map<String, LinuxResources.Rdma> rdma = Map.of();
            Map<String, String> unified = Map.of();
            String f;
            while ((f = nextName(F_RESOURCES)) != null) {
                p.nextToken();
                switch (f) {
                    case "devices" -> devices = list(this::deviceCgroup);
                    case "memory" -> memory = memory();
                    case "cpu" -> cpu = cpu();
                    case "pids" -> pids = pids();
                    case "blockIO" -> blockIo = blockIo();
                    case "hugepageLimits" -> hugepageLimits = list(this::hugepageLimit);
                    case "network" -> network = network();
                    case "rdma" -> rdma = map(this::rdma);
                    case "unified" -> unified = stringMap();
                    default -> skip();
                }
            }
            return new LinuxResources(devices, memory, cpu, pids, blockIo, hugepageLimits, network, rdma, unified);
        }

        LinuxResources.DeviceCgroup deviceCgroup() {
            if (!startObject()) {
                return null;
            }
            Boolean allow = null;
            String type = null;
            Long major = null;
            Long minor = null;
            String access = null;
            String f;
            while ((f = nextName(F_DEVICE_CGROUP)) != null) {
                p.nextToken();
                switch (f) {
                    case "allow" -> allow = boolOpt();
                    case "type" -> type = str();
                    case "major" -> major = int64();
                    case "minor" -> minor = int64();
                    case "access" -> access = str();
                    default -> skip();
                }
            }
            if (allow == null) {
                throw missing("allow");
            }
            return new LinuxResources.DeviceCgroup(allow, type, major, minor, access);
        }

        LinuxResources.Memory memory() {
            if (!startObject()) {
                return null;
            }
            Long limit = null;
            Long reservation = null;
            Long swap = null;
            Long kernel = null;
            Long kernelTcp = null;
            Long swappiness = null;
            Boolean disableOomKiller = null;
            Boolean useHierarchy = null;
            Boolean checkBeforeUpdate = null;
            String f;
            while ((f = nextName(F_MEMORY)) != null) {
                p.nextToken();
                switch (f) {
                    case "limit" -> limit = int64();
                    case "reservation" -> reservation = int64();
                    case "swap" -> swap = int64();
                    case "kernel" -> kernel = int64();
                    case "kernelTCP" -> kernelTcp = int64();
                    case "swappiness" -> swappiness = uint64();
                    case "disableOOMKiller" -> disableOomKiller = boolOpt();
                    case "useHierarchy" -> useHierarchy = boolOpt();
                    case "checkBeforeUpdate" -> checkBeforeUpdate = boolOpt();
                    default -> skip();
                }
            }
            return new LinuxResources.Memory(limit, reservation, swap, kernel, kernelTcp, swappiness,
                    disableOomKiller, useHierarchy, checkBeforeUpdate);
        }

        LinuxResources.Cpu cpu() {
            if (!startObject()) {
                return null;
            }
            Long shares = null;
            Long quota = null;
            Long burst = null;
            Long period = null;
            Long realtimeRuntime = null;
            Long realtimePeriod = null;
            String cpus = null;
            String mems = null;
            Long idle = null;
            String f;
            while ((f = nextName(F_CPU)) != null) {
                p.nextToken();
                switch (f) {
                    case "shares" -> shares = uint64();
                    case "quota" -> quota = int64();
                    case "burst" -> burst = uint64();
                    case "period" -> period = uint64();
                    case "realtimeRuntime" -> realtimeRuntime = int64();
                    case "realtimePeriod" -> realtimePeriod = uint64();
                    case "cpus" -> cpus = str();
                    case "mems" -> mems = str();
                    case "idle" -> idle = int64();
                    default -> skip();
                }
            }
            return new LinuxResources.Cpu(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems,
                    idle);
        }

        LinuxResources.Pids pids() {
            if (!startObject()) {
                return null;
            }
            Long limit = null;
            String f;
            while ((f = nextName(F_PIDS)) != null) {
                p.nextToken();
                if (f.equals("limit")) {
                    limit = int64();
                } else {
                    skip();
                }
            }
            return new LinuxResources.Pids(limit);
        }

        LinuxResources.BlockIo blockIo() {
            if (!startObject()) {
                return null;
            }
            Integer weight = null;
            Integer leafWeight = null;
            List<LinuxResources.WeightDevice> weightDevice = List.of();
            List<LinuxResources.ThrottleDevice> readBps = List.of();
            List<LinuxResources.ThrottleDevice> writeBps = List.of();
            List<LinuxResources.ThrottleDevice> readIops = List.of();
            List<LinuxResources.ThrottleDevice> writeIops = List.of();
            String f;
            while ((f = nextName(F_BLOCK_IO)) != null) {
                p.nextToken();
                switch (f) {
                    case "weight" -> weight = uint16();
                    case "leafWeight" -> leafWeight = uint16();
                    case "weightDevice" -> weightDevice = list(this::weightDevice);
                    case "throttleReadBpsDevice" -> readBps = list(this::throttleDevice);
                    case "throttleWriteBpsDevice" -> writeBps = list(this::throttleDevice);
                    case "throttleReadIOPSDevice" -> readIops = list(this::throttleDevice);
                    case "throttleWriteIOPSDevice" -> writeIops = list(this::throttleDevice);
                    default -> skip();
                }
            }
            return new LinuxResources.BlockIo(weight, leafWeight, weightDevice, readBps, writeBps, readIops, writeIops);
        }

        LinuxResources.WeightDevice weightDevice() {
            if (!startObject()) {
                return null;
            }
            Long major = null;
            Long minor = null;
            Integer weight = null;
            Integer leafWeight = null;
            String f;
            while ((f = nextName(F_WEIGHT_DEVICE)) != null) {
                p.nextToken();
                switch (f) {
                    case "major" -> major = int64();
                    case "minor" -> minor = int64();
                    case "weight" -> weight = uint16();
                    case "leafWeight" -> leafWeight = uint16();
                    default -> skip();
                }
            }
            return new LinuxResources.WeightDevice(required(major, "major"), required(minor, "minor"), weight,
                    leafWeight);
        }

        LinuxResources.ThrottleDevice throttleDevice() {
            if (!startObject()) {
                return null;
            }
            Long major = null;
            Long minor = null;
            Long rate = null;
            String f;
            while ((f = nextName(F_THROTTLE_DEVICE)) != null) {
                p.nextToken();
                switch (f) {
                    case "major" -> major = int64();
                    case "minor" -> minor = int64();
                    case "rate" -> rate = uint64();
                    default -> skip();
                }
            }
            return new LinuxResources.ThrottleDevice(required(major, "major"), required(minor, "minor"),
                    required(rate, "rate"));
        }

        LinuxResources.HugepageLimit hugepageLimit() {
            if (!startObject()) {
                return null;
            }
            String pageSize = null;
            Long limit = null;
            String f;
            while ((f = nextName(F_HUGEPAGE_LIMIT)) != null) {
                p.nextToken();
                switch (f) {
                    case "pageSize" -> pageSize = str();
                    case "limit" -> limit = uint64();
                    default -> skip();
                }
            }
            return new LinuxResources.HugepageLimit(pageSize, required(limit, "limit"));
        }

        LinuxResources.Network network() {
            if (!startObject()) {
                return null;
            }
            Long classId = null;
            List<LinuxResources.InterfacePriority> priorities = List.of();
            String f;
            while ((f = nextName(F_NETWORK)) != null) {
                p.nextToken();
                switch (f) {
                    case "classID" -> classId = uint32();
                    case "priorities" -> priorities = list(this::interfacePriority);
                    default -> skip();
                }
            }
            return new LinuxResources.Network(classId, priorities);
        }

        LinuxResources.InterfacePriority interfacePriority() {
            if (!startObject()) {
                return null;
            }
            String name = null;
            Long priority = null;
            String f;
            while ((f = nextName(F_INTERFACE_PRIORITY)) != null) {
                p.nextToken();
                switch (f) {
                    case "name" -> name = str();
                    case "priority" -> priority = uint32();
                    default -> skip();
                }
            }
            return new LinuxResources.InterfacePriority(name, required(priority, "priority"));
        }

        LinuxResources.Rdma rdma() {
            if (!startObject()) {
                return null;
            }
            Long handles = null;
            Long objects = null;
            String f;
            while ((f = nextName(F_RDMA)) != null) {
                p.nextToken();
                switch (f) {
                    case "hcaHandles" -> handles = uint32();
                    case "hcaObjects" -> objects = uint32();
                    default -> skip();
                }
            }
            return new LinuxResources.Rdma(handles, objects);
        }

        LinuxSeccomp seccomp() {
            if (!startObject()) {
                return null;
            }
            String defaultAction = null;
            Long defaultErrnoRet = null;
            List<String> architectures = List.of();
            List<String> flags = List.of();
            String listenerPath = null;
            String listenerMetadata = null;
            List<LinuxSeccomp.Syscall> syscalls = List.of();
            String f;
            while ((f = nextName(F_SECCOMP)) != null) {
                p.nextToken();
                switch (f) {
                    case "defaultAction" -> defaultAction = str();
                    case "defaultErrnoRet" -> defaultErrnoRet = uint32();
                    case "architectures" -> architectures = strings();
                    case "flags" -> flags = strings();
                    case "listenerPath" -> listenerPath = str();
                    case "listenerMetadata" -> listenerMetadata = str();
                    case "syscalls" -> syscalls = list(this::syscall);
                    default -> skip();
                }
            }
            return new LinuxSeccomp(defaultAction, defaultErrnoRet, architectures, flags, listenerPath,
                    listenerMetadata, syscalls);
        }

        LinuxSeccomp.Syscall syscall() {
            if (!startObject()) {
                return null;
            }
            List<String> names = List.of();
            String action = null;
            Long errnoRet = null;
            List<LinuxSeccomp.Arg> args = List.of();
            String f;
            while ((f = nextName(F_SYSCALL)) != null) {
                p.nextToken();
                switch (f) {
                    case "names" -> names = strings();
                    case "action" -> action = str();
                    case "errnoRet" -> errnoRet = uint32();
                    case "args" -> args = list(this::seccompArg);
                    default -> skip();
                }
            }
            return new LinuxSeccomp.Syscall(names, action, errnoRet, args);
        }

        LinuxSeccomp.Arg seccompArg() {
            if (!startObject()) {
                return null;
            }
            Long index = null;
            Long value = null;
            Long valueTwo = null;
            String op = null;
            String f;
            while ((f = nextName(F_SECCOMP_ARG)) != null) {
                p.nextToken();
                switch (f) {
                    case "index" -> index = uint32();
                    case "value" -> value = uint64();
                    case "valueTwo" -> valueTwo = uint64();
                    case "op" -> op = str();
                    default -> skip();
                }
            }
            return new LinuxSeccomp.Arg(required(index, "index"), required(value, "value"), valueTwo, op);
        }

        LinuxPersonality personality() {
            if (!startObject()) {
                return null;
            }
            String domain = null;
            List<String> flags = List.of();
            String f;
            while ((f = nextName(F_PERSONALITY)) != null) {
                p.nextToken();
                switch (f) {
                    case "domain" -> domain = str();
                    case "flags" -> flags = strings();
                    default -> skip();
                }
            }
            return new LinuxPersonality(domain, flags);
        }

        IntelRdt intelRdt() {
            if (!startObject()) {
                return null;
            }
            String closId = null;
            String l3 = null;
            String memBw = null;
            List<String> schemata = List.of();
            Boolean monitoring = null;
            String f;
            while ((f = nextName(F_INTEL_RDT)) != null) {
                p.nextToken();
                switch (f) {
                    case "closID" -> closId = str();
                    case "l3CacheSchema" -> l3 = str();
                    case "memBwSchema" -> memBw = str();
                    case "schemata" -> schemata = strings();
                    case "enableMonitoring" -> monitoring = boolOpt();
                    default -> skip();
                }
            }
            return new IntelRdt(closId, l3, memBw, schemata, monitoring);
        }

        TimeOffset timeOffset() {
            if (!startObject()) {
                return null;
            }
            Long secs = null;
            Long nanosecs = null;
            String f;
            while ((f = nextName(F_TIME_OFFSET)) != null) {
                p.nextToken();
                switch (f) {
                    case "secs" -> secs = int64();
                    case "nanosecs" -> nanosecs = uint32();
                    default -> skip();
                }
            }
            return new TimeOffset(secs, nanosecs);
        }

        LinuxNetDevice netDevice() {
            if (!startObject()) {
                return null;
            }
            String name = null;
            String f;
            while ((f = nextName(F_NET_DEVICE)) != null) {
                p.nextToken();
                if (f.equals("name")) {
                    name = str();
                } else {
                    skip();
                }
            }
            return new LinuxNetDevice(name);
        }

        LinuxMemoryPolicy memoryPolicy() {
            if (!startObject()) {
                return null;
            }
            String mode = null;
            String nodes = null;
            List<String> flags = List.of();
            String f;
            while ((f = nextName(F_MEMORY_POLICY)) != null) {
                p.nextToken();
                switch (f) {
                    case "mode" -> mode = str();
                    case "nodes" -> nodes = str();
                    case "flags" -> flags = strings();
                    default -> skip();
                }
            }
            return new LinuxMemoryPolicy(mode, nodes, flags);
        }
    }
}
