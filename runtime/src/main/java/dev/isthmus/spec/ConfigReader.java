package dev.isthmus.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads config.json with jackson-core's streaming parser: a name loop with a switch per OCI
 * object, unknown names skipped (the spec says they must be ignored), duplicate names refused,
 * and every rule that needs only the document checked as it is read, so a config is validated
 * before anything acts on it.
 */
public final class ConfigReader {
    private ConfigReader() {}

    /** One factory for the process: limits keep a hostile config from exhausting memory. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxDocumentLength(16L << 20)
                    .maxStringLength(1 << 20)
                    .maxNameLength(4096)
                    .build())
            .build();

    private static final Set<String> RLIMITS = Set.of("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",
            "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
            "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");

    private static final Set<String> DEVICE_TYPES = Set.of("c", "b", "u", "p");

    public static Config read(Path configJson) throws ConfigException {
        byte[] bytes;
        String name = configJson.toString();
        try {
            bytes = Files.readAllBytes(configJson);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "", 0, 0, "no such file");
        } catch (IOException e) {
            throw new ConfigException(name, "", 0, 0, "cannot be read: " + e.getClass().getSimpleName());
        }
        return read(bytes, name);
    }

    public static Config read(byte[] json, String sourceName) throws ConfigException {
        Cursor c = null;
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), json)) {
            c = new Cursor(p, sourceName);
            if (p.nextToken() == null) {
                throw c.error("empty document");
            }
            Config config = new ConfigReader.Doc(c).config();
            if (p.nextToken() != null) {
                throw c.error("trailing content after the config object");
            }
            return config;
        } catch (StreamConstraintsException e) {
            throw wrap(c, sourceName, "exceeds a size or depth limit", e);
        } catch (JacksonException e) {
            // Never e.getMessage(): Jackson quotes the offending token, which may be a secret.
            String reason = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate")
                    ? "duplicate key" : "malformed JSON";
            throw wrap(c, sourceName, reason, e);
        }
    }

    private static ConfigException wrap(Cursor c, String source, String reason, JacksonException e) {
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        int col = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
        return new ConfigException(source, c == null ? "" : c.path(), line, col, reason);
    }

    /** The readers of one document. */
    private record Doc(Cursor c) {

        Config config() throws ConfigException {
            String[] ociVersion = {null};
            Process[] process = {null};
            Root[] root = {null};
            String[] hostname = {null};
            String[] domainname = {null};
            List<Mount> mounts = new ArrayList<>();
            Hooks[] hooks = {null};
            Map<String, String> annotations = new LinkedHashMap<>();
            Linux[] linux = {null};
            c.object(name -> {
                switch (name) {
                    case "ociVersion" -> ociVersion[0] = ociVersion();
                    case "process" -> process[0] = c.isNull() ? null : process();
                    case "root" -> root[0] = c.isNull() ? null : root();
                    case "hostname" -> hostname[0] = c.string();
                    case "domainname" -> domainname[0] = c.string();
                    case "mounts" -> {
                        if (!c.isNull()) {
                            c.array(i -> mounts.add(mount()));
                        }
                    }
                    case "hooks" -> hooks[0] = c.isNull() ? null : hooks();
                    case "annotations" -> annotations.putAll(c.stringMap());
                    case "linux" -> linux[0] = c.isNull() ? null : linux();
                    default -> c.skip();
                }
            });
            if (ociVersion[0] == null) {
                throw c.error("ociVersion", "required");
            }
            if (root[0] == null) {
                throw c.error("root", "required on Linux");
            }
            return new Config(ociVersion[0], process[0], root[0], hostname[0], domainname[0], mounts, hooks[0], annotations, linux[0]);
        }

        /** Any 1.x version is compatible (semver: this runtime implements 1.2). */
        String ociVersion() throws ConfigException {
            String v = c.requiredString();
            if (!v.matches("1\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?")) {
                throw c.error("unsupported version: this runtime implements runtime-spec " + Config.SPEC_VERSION + " (1.x)");
            }
            return v;
        }

        Process process() throws ConfigException {
            boolean[] terminal = {false};
            ConsoleSize[] consoleSize = {null};
            User[] user = {null};
            List<String> args = new ArrayList<>();
            String[] commandLine = {null};
            List<String> env = new ArrayList<>();
            String[] cwd = {null};
            Capabilities[] caps = {null};
            List<Rlimit> rlimits = new ArrayList<>();
            boolean[] nnp = {false};
            String[] apparmor = {null};
            Integer[] oom = {null};
            String[] selinux = {null};
            IoPriority[] io = {null};
            Scheduler[] sched = {null};
            ExecCpuAffinity[] aff = {null};
            c.object(name -> {
                switch (name) {
                    case "terminal" -> terminal[0] = c.bool();
                    case "consoleSize" -> consoleSize[0] = c.isNull() ? null : consoleSize();
                    case "user" -> user[0] = c.isNull() ? null : user();
                    case "args" -> args.addAll(c.strings());
                    case "commandLine" -> commandLine[0] = c.string();
                    case "env" -> env.addAll(env());
                    case "cwd" -> {
                        cwd[0] = c.requiredString();
                        if (!cwd[0].startsWith("/")) {
                            throw c.error("must be an absolute path");
                        }
                    }
                    case "capabilities" -> caps[0] = c.isNull() ? null : capabilities();
                    case "rlimits" -> {
                        if (!c.isNull()) {
                            Set<String> seen = new HashSet<>();
                            c.array(i -> {
                                Rlimit r = rlimit();
                                if (!seen.add(r.type())) {
                                    throw c.error("duplicate rlimit type");
                                }
                                rlimits.add(r);
                            });
                        }
                    }
                    case "noNewPrivileges" -> nnp[0] = c.bool();
                    case "apparmorProfile" -> apparmor[0] = c.string();
                    case "oomScoreAdj" -> {
                        oom[0] = c.optionalInt();
                        if (oom[0] != null && (oom[0] < -1000 || oom[0] > 1000)) {
                            throw c.error("must be between -1000 and 1000");
                        }
                    }
                    case "selinuxLabel" -> selinux[0] = c.string();
                    case "ioPriority" -> io[0] = c.isNull() ? null : ioPriority();
                    case "scheduler" -> sched[0] = c.isNull() ? null : scheduler();
                    case "execCPUAffinity" -> aff[0] = c.isNull() ? null : affinity();
                    default -> c.skip();
                }
            });
            if (cwd[0] == null) {
                throw c.error(c.path("cwd"), "required");
            }
            return new Process(terminal[0], consoleSize[0], user[0], args, commandLine[0], env, cwd[0], caps[0], rlimits, nnp[0],
                    apparmor[0], oom[0], selinux[0], io[0], sched[0], aff[0]);
        }

        List<String> env() throws ConfigException {
            List<String> env = c.strings();
            if (!env.isEmpty()) {
                // Checked element by element again for the path; values are never quoted.
                int i = 0;
                for (String e : env) {
                    if (e.indexOf('=') <= 0) {
                        throw c.error(c.path() + "[" + i + "]", "must have the form KEY=value");
                    }
                    i++;
                }
            }
            return env;
        }

        ConsoleSize consoleSize() throws ConfigException {
            long[] hw = {-1, -1};
            c.object(name -> {
                switch (name) {
                    case "height" -> hw[0] = c.unsigned();
                    case "width" -> hw[1] = c.unsigned();
                    default -> c.skip();
                }
            });
            if (hw[0] < 0 || hw[1] < 0) {
                throw c.error(c.path(hw[0] < 0 ? "height" : "width"), "required");
            }
            return new ConsoleSize(hw[0], hw[1]);
        }

        User user() throws ConfigException {
            Long[] uid = {null};
            Long[] gid = {null};
            Integer[] umask = {null};
            List<Long> gids = new ArrayList<>();
            String[] username = {null};
            c.object(name -> {
                switch (name) {
                    case "uid" -> uid[0] = id();
                    case "gid" -> gid[0] = id();
                    case "umask" -> {
                        umask[0] = c.optionalInt();
                        if (umask[0] != null && (umask[0] < 0 || umask[0] > 0777)) {
                            throw c.error("must be between 0 and 0777");
                        }
                    }
                    case "additionalGids" -> {
                        if (!c.isNull()) {
                            c.array(i -> gids.add(id()));
                        }
                    }
                    case "username" -> username[0] = c.string();
                    default -> c.skip();
                }
            });
            if (uid[0] == null || gid[0] == null) {
                throw c.error(c.path(uid[0] == null ? "uid" : "gid"), "required");
            }
            return new User(uid[0], gid[0], umask[0], gids, username[0]);
        }

        long id() throws ConfigException {
            long v = c.integer();
            if (v < 0 || v > 0xffffffffL - 1) {
                throw c.error("must be a uid/gid between 0 and 4294967294");
            }
            return v;
        }

        Capabilities capabilities() throws ConfigException {
            @SuppressWarnings("unchecked")
            List<String>[] sets = new List[] {List.of(), List.of(), List.of(), List.of(), List.of()};
            c.object(name -> {
                int idx = switch (name) {
                    case "bounding" -> 0;
                    case "effective" -> 1;
                    case "inheritable" -> 2;
                    case "permitted" -> 3;
                    case "ambient" -> 4;
                    default -> -1;
                };
                if (idx < 0) {
                    c.skip();
                    return;
                }
                List<String> caps = new ArrayList<>();
                if (!c.isNull()) {
                    c.array(i -> {
                        String cap = c.requiredString();
                        if (CapabilityNames.parse(cap) < 0) {
                            throw c.error("unknown capability");
                        }
                        caps.add(cap);
                    });
                }
                sets[idx] = caps;
            });
            return new Capabilities(sets[0], sets[1], sets[2], sets[3], sets[4]);
        }

        Rlimit rlimit() throws ConfigException {
            String[] type = {null};
            Long[] hard = {null};
            Long[] soft = {null};
            c.object(name -> {
                switch (name) {
                    case "type" -> {
                        type[0] = c.requiredString();
                        if (!RLIMITS.contains(type[0])) {
                            throw c.error("unknown rlimit type");
                        }
                    }
                    case "hard" -> hard[0] = c.unsigned();
                    case "soft" -> soft[0] = c.unsigned();
                    default -> c.skip();
                }
            });
            if (type[0] == null || hard[0] == null || soft[0] == null) {
                throw c.error(c.path(type[0] == null ? "type" : hard[0] == null ? "hard" : "soft"), "required");
            }
            if (Long.compareUnsigned(soft[0], hard[0]) > 0) {
                throw c.error("soft limit exceeds the hard limit");
            }
            return new Rlimit(type[0], hard[0], soft[0]);
        }

        IoPriority ioPriority() throws ConfigException {
            String[] cls = {null};
            int[] prio = {0};
            c.object(name -> {
                switch (name) {
                    case "class" -> {
                        cls[0] = c.requiredString();
                        if (!Set.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE").contains(cls[0])) {
                            throw c.error("unknown I/O priority class");
                        }
                    }
                    case "priority" -> prio[0] = (int) c.integer();
                    default -> c.skip();
                }
            });
            if (cls[0] == null) {
                throw c.error(c.path("class"), "required");
            }
            return new IoPriority(cls[0], prio[0]);
        }

        Scheduler scheduler() throws ConfigException {
            String[] policy = {null};
            Integer[] ints = {null, null};
            List<String> flags = new ArrayList<>();
            Long[] times = {null, null, null};
            c.object(name -> {
                switch (name) {
                    case "policy" -> policy[0] = c.requiredString();
                    case "nice" -> ints[0] = c.optionalInt();
                    case "priority" -> ints[1] = c.optionalInt();
                    case "flags" -> flags.addAll(c.strings());
                    case "runtime" -> times[0] = c.optionalInteger();
                    case "deadline" -> times[1] = c.optionalInteger();
                    case "period" -> times[2] = c.optionalInteger();
                    default -> c.skip();
                }
            });
            if (policy[0] == null) {
                throw c.error(c.path("policy"), "required");
            }
            return new Scheduler(policy[0], ints[0], ints[1], flags, times[0], times[1], times[2]);
        }

        ExecCpuAffinity affinity() throws ConfigException {
            String[] v = {null, null};
            c.object(name -> {
                switch (name) {
                    case "initial" -> v[0] = c.string();
                    case "final" -> v[1] = c.string();
                    default -> c.skip();
                }
            });
            return new ExecCpuAffinity(v[0], v[1]);
        }

        Root root() throws ConfigException {
            String[] path = {null};
            boolean[] ro = {false};
            c.object(name -> {
                switch (name) {
                    case "path" -> path[0] = c.requiredString();
                    case "readonly" -> ro[0] = c.bool();
                    default -> c.skip();
                }
            });
            if (path[0] == null || path[0].isEmpty()) {
                throw c.error(c.path("path"), "required");
            }
            return new Root(path[0], ro[0]);
        }

        Mount mount() throws ConfigException {
            String[] s = {null, null, null};
            List<String> options = new ArrayList<>();
            List<IdMapping> uid = new ArrayList<>();
            List<IdMapping> gid = new ArrayList<>();
            c.object(name -> {
                switch (name) {
                    case "destination" -> {
                        s[0] = c.requiredString();
                        if (!s[0].startsWith("/")) {
                            throw c.error("must be an absolute path");
                        }
                    }
                    case "source" -> s[1] = c.string();
                    case "type" -> s[2] = c.string();
                    case "options" -> options.addAll(c.strings());
                    case "uidMappings" -> uid.addAll(idMappings());
                    case "gidMappings" -> gid.addAll(idMappings());
                    default -> c.skip();
                }
            });
            if (s[0] == null) {
                throw c.error(c.path("destination"), "required");
            }
            return new Mount(s[0], s[1], s[2], options, uid, gid);
        }

        List<IdMapping> idMappings() throws ConfigException {
            List<IdMapping> maps = new ArrayList<>();
            if (c.isNull()) {
                return maps;
            }
            c.array(i -> {
                long[] v = {-1, -1, -1};
                c.object(name -> {
                    switch (name) {
                        case "containerID" -> v[0] = c.unsigned();
                        case "hostID" -> v[1] = c.unsigned();
                        case "size" -> v[2] = c.unsigned();
                        default -> c.skip();
                    }
                });
                if (v[0] < 0 || v[1] < 0 || v[2] < 0) {
                    throw c.error(c.path(v[0] < 0 ? "containerID" : v[1] < 0 ? "hostID" : "size"), "required");
                }
                if (v[2] == 0) {
                    throw c.error(c.path("size"), "must be at least 1");
                }
                IdMapping m = new IdMapping(v[0], v[1], v[2]);
                for (IdMapping o : maps) {
                    if (overlap(o.containerID(), o.size(), m.containerID(), m.size())
                            || overlap(o.hostID(), o.size(), m.hostID(), m.size())) {
                        throw c.error("overlaps an earlier mapping");
                    }
                }
                maps.add(m);
            });
            return maps;
        }

        static boolean overlap(long a, long asize, long b, long bsize) {
            return a < b + bsize && b < a + asize;
        }

        Hooks hooks() throws ConfigException {
            Map<String, List<Hook>> lists = new LinkedHashMap<>();
            c.object(name -> {
                switch (name) {
                    case "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" -> {
                        List<Hook> hooks = new ArrayList<>();
                        if (!c.isNull()) {
                            c.array(i -> hooks.add(hook()));
                        }
                        lists.put(name, hooks);
                    }
                    default -> c.skip();
                }
            });
            return new Hooks(lists.getOrDefault("prestart", List.of()), lists.getOrDefault("createRuntime", List.of()),
                    lists.getOrDefault("createContainer", List.of()), lists.getOrDefault("startContainer", List.of()),
                    lists.getOrDefault("poststart", List.of()), lists.getOrDefault("poststop", List.of()));
        }

        Hook hook() throws ConfigException {
            String[] path = {null};
            List<String> args = new ArrayList<>();
            List<String> env = new ArrayList<>();
            Integer[] timeout = {null};
            c.object(name -> {
                switch (name) {
                    case "path" -> {
                        path[0] = c.requiredString();
                        if (!path[0].startsWith("/")) {
                            throw c.error("must be an absolute path");
                        }
                    }
                    case "args" -> args.addAll(c.strings());
                    case "env" -> env.addAll(env());
                    case "timeout" -> {
                        timeout[0] = c.optionalInt();
                        if (timeout[0] != null && timeout[0] <= 0) {
                            throw c.error("must be greater than zero");
                        }
                    }
                    default -> c.skip();
                }
            });
            if (path[0] == null) {
                throw c.error(c.path("path"), "required");
            }
            return new Hook(path[0], args, env, timeout[0]);
        }

        Linux linux() throws ConfigException {
            List<LinuxNamespace> namespaces = new ArrayList<>();
            List<IdMapping> uid = new ArrayList<>();
            List<IdMapping> gid = new ArrayList<>();
            List<LinuxDevice> devices = new ArrayList<>();
            String[] strs = {null, null, null};
            Map<String, String> sysctl = new LinkedHashMap<>();
            List<String> masked = new ArrayList<>();
            List<String> readonly = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<String, Object>[] objs = new Map[] {null, null, null};
            LinuxPersonality[] personality = {null};
            Map<String, TimeOffset> timeOffsets = new LinkedHashMap<>();
            c.object(name -> {
                switch (name) {
                    case "namespaces" -> namespaces.addAll(namespaces());
                    case "uidMappings" -> uid.addAll(idMappings());
                    case "gidMappings" -> gid.addAll(idMappings());
                    case "devices" -> {
                        if (!c.isNull()) {
                            c.array(i -> devices.add(device()));
                        }
                    }
                    case "cgroupsPath" -> strs[0] = c.string();
                    case "resources" -> objs[0] = c.anyObject();
                    case "sysctl" -> sysctl.putAll(c.stringMap());
                    case "seccomp" -> objs[1] = c.anyObject();
                    case "rootfsPropagation" -> {
                        strs[1] = c.string();
                        if (strs[1] != null && !Set.of("", "private", "rprivate", "shared", "rshared", "slave", "rslave",
                                "unbindable", "runbindable").contains(strs[1])) {
                            throw c.error("unknown propagation");
                        }
                    }
                    case "maskedPaths" -> masked.addAll(absolutePaths());
                    case "readonlyPaths" -> readonly.addAll(absolutePaths());
                    case "mountLabel" -> strs[2] = c.string();
                    case "personality" -> personality[0] = c.isNull() ? null : personality();
                    case "intelRdt" -> objs[2] = c.anyObject();
                    case "timeOffsets" -> {
                        if (!c.isNull()) {
                            c.object(clock -> timeOffsets.put(clock, timeOffset()));
                        }
                    }
                    default -> c.skip();
                }
            });
            return new Linux(namespaces, uid, gid, devices, strs[0], objs[0], sysctl, objs[1], strs[1], masked, readonly, strs[2],
                    personality[0], objs[2], timeOffsets);
        }

        List<String> absolutePaths() throws ConfigException {
            List<String> out = new ArrayList<>();
            if (!c.isNull()) {
                c.array(i -> {
                    String p = c.requiredString();
                    if (!p.startsWith("/")) {
                        throw c.error("must be an absolute path");
                    }
                    out.add(p);
                });
            }
            return out;
        }

        List<LinuxNamespace> namespaces() throws ConfigException {
            List<LinuxNamespace> out = new ArrayList<>();
            if (c.isNull()) {
                return out;
            }
            Set<NamespaceType> seen = EnumSet.noneOf(NamespaceType.class);
            c.array(i -> {
                NamespaceType[] type = {null};
                String[] path = {null};
                c.object(name -> {
                    switch (name) {
                        case "type" -> {
                            type[0] = NamespaceType.fromSpecName(c.requiredString());
                            if (type[0] == null) {
                                throw c.error("unknown namespace type");
                            }
                            if (!seen.add(type[0])) {
                                throw c.error("namespace type listed twice");
                            }
                        }
                        case "path" -> {
                            path[0] = c.string();
                            if (path[0] != null && !path[0].isEmpty() && !path[0].startsWith("/")) {
                                throw c.error("must be an absolute path");
                            }
                        }
                        default -> c.skip();
                    }
                });
                if (type[0] == null) {
                    throw c.error(c.path("type"), "required");
                }
                out.add(new LinuxNamespace(type[0], path[0] == null || path[0].isEmpty() ? null : path[0]));
            });
            return out;
        }

        LinuxDevice device() throws ConfigException {
            String[] s = {null, null};
            Long[] n = {null, null, null, null};
            Integer[] mode = {null};
            c.object(name -> {
                switch (name) {
                    case "path" -> {
                        s[0] = c.requiredString();
                        if (!s[0].startsWith("/")) {
                            throw c.error("must be an absolute path");
                        }
                    }
                    case "type" -> {
                        s[1] = c.requiredString();
                        if (!DEVICE_TYPES.contains(s[1])) {
                            throw c.error("must be c, b, u or p");
                        }
                    }
                    case "major" -> n[0] = c.integer();
                    case "minor" -> n[1] = c.integer();
                    case "fileMode" -> mode[0] = c.optionalInt();
                    case "uid" -> n[2] = c.isNull() ? null : id();
                    case "gid" -> n[3] = c.isNull() ? null : id();
                    default -> c.skip();
                }
            });
            if (s[0] == null || s[1] == null) {
                throw c.error(c.path(s[0] == null ? "path" : "type"), "required");
            }
            if (!s[1].equals("p") && (n[0] == null || n[1] == null)) {
                throw c.error(c.path(n[0] == null ? "major" : "minor"), "required for a " + s[1] + " device");
            }
            return new LinuxDevice(s[0], s[1], n[0] == null ? 0 : n[0], n[1] == null ? 0 : n[1], mode[0], n[2], n[3]);
        }

        LinuxPersonality personality() throws ConfigException {
            String[] domain = {null};
            List<String> flags = new ArrayList<>();
            c.object(name -> {
                switch (name) {
                    case "domain" -> {
                        domain[0] = c.requiredString();
                        if (!Set.of("LINUX", "LINUX32").contains(domain[0])) {
                            throw c.error("must be LINUX or LINUX32");
                        }
                    }
                    case "flags" -> flags.addAll(c.strings());
                    default -> c.skip();
                }
            });
            if (domain[0] == null) {
                throw c.error(c.path("domain"), "required");
            }
            return new LinuxPersonality(domain[0], flags);
        }

        TimeOffset timeOffset() throws ConfigException {
            long[] v = {0, 0};
            c.object(name -> {
                switch (name) {
                    case "secs" -> v[0] = c.integer();
                    case "nanosecs" -> v[1] = c.unsigned();
                    default -> c.skip();
                }
            });
            return new TimeOffset(v[0], v[1]);
        }
    }

}
