package dev.isthmus.spec;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of runtime-spec 1.0 to 1.3 (config.md, config-linux.md) that a runtime must check before any side
 * effect. The first violation is thrown as a {@link ConfigException} naming the JSON path and the rule; values are
 * never quoted. {@link ConfigReader} adds the line and column.
 */
public final class ConfigValidator {
    /** The newest runtime-spec minor version this runtime knows (1.3). Configs for 1.0 to 1.3 are accepted. */
    public static final int SUPPORTED_MAJOR = 1;
    public static final int SUPPORTED_MINOR = 3;

    private static final Set<String> IOPRIO_CLASSES = Set.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
    private static final Set<String> SCHED_POLICIES = Set.of("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
            "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
    private static final Set<String> SCHED_FLAGS = Set.of("SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
            "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
            "SCHED_FLAG_UTIL_CLAMP_MAX");
    /** The spec names four; runc and crun also take the recursive forms, which podman writes. */
    private static final Set<String> PROPAGATIONS = Set.of("shared", "slave", "private", "unbindable", "rshared",
            "rslave", "rprivate", "runbindable");
    static final Set<String> SECCOMP_ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",
            "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    static final Set<String> SECCOMP_ARCHES = Set.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");
    static final Set<String> SECCOMP_FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    static final Set<String> SECCOMP_OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
            "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
    static final Set<String> MPOL_MODES = Set.of("MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE",
            "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL");
    static final Set<String> MPOL_FLAGS = Set.of("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
            "MPOL_F_STATIC_NODES");
    /** time_namespaces(7): only these two clocks can be offset. */
    private static final Set<String> TIME_CLOCKS = Set.of("monotonic", "boottime");

    private static final Set<String> DEVICE_TYPES = Set.of("c", "b", "u", "p");
    private static final Set<String> DEVICE_CGROUP_TYPES = Set.of("a", "c", "b");
    private static final java.util.regex.Pattern PAGE_SIZE = java.util.regex.Pattern.compile("[0-9]+[KMG]B");

    private static final String SOURCE = "config";

    private ConfigValidator() {}

    /** Throws on the first rule the config breaks. */
    public static void validate(Config c) throws ConfigException {
        try {
            new ConfigValidator().config(c);
        } catch (ConfigReader.Fail f) {
            throw f.exception;
        }
    }

    private static ConfigReader.Fail fail(String path, String reason) {
        return new ConfigReader.Fail(new ConfigException(SOURCE, path, 0, 0, reason));
    }

    private static String idx(String path, int i) {
        return path + "[" + i + "]";
    }

    private static void absolute(String value, String path) {
        if (value == null || value.isEmpty() || value.charAt(0) != '/') {
            throw fail(path, "must be an absolute path");
        }
    }

    private static void present(Object value, String path) {
        if (value == null) {
            throw fail(path, "required field is missing");
        }
    }

    private static void noNewline(String value, String path) {
        if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
            throw fail(path, "must not contain a newline");
        }
    }

    /**
     * (uid_t)-1 and (gid_t)-1: setresuid(2), setresgid(2), chown(2) read it as "leave unchanged"
     * and the kernel's make_kuid gives INVALID_UID for it, so it is never an id of its own.
     */
    public static final long NO_ID = 0xFFFF_FFFFL;

    /** Why {@code id} cannot be a uid or gid (negative, above 32 bits, or (uid_t)-1), or null when it can. */
    public static String idProblem(long id) {
        if (id < 0 || id > NO_ID) {
            return "must be between 0 and 4294967294";
        }
        if (id == NO_ID) {
            return "4294967295 is (uid_t)-1, which the kernel reads as \"leave unchanged\", not as an id";
        }
        return null;
    }

    private static void id(long value, String path) {
        String problem = idProblem(value);
        if (problem != null) {
            throw fail(path, problem);
        }
    }

    /**
     * Why a string cannot be passed to a system call, or null: a C string ends at its first NUL,
     * so "/bin/true\0/../false" would silently become "/bin/true".
     */
    public static String nulProblem(String value) {
        return value != null && value.indexOf('\0') >= 0 ? "must not contain a NUL byte (a system call would cut it there)" : null;
    }

    private static void noNul(String value, String path) {
        String problem = nulProblem(value);
        if (problem != null) {
            throw fail(path, problem);
        }
    }

    private static void noNul(List<String> values, String path) {
        for (int i = 0; i < values.size(); i++) {
            noNul(values.get(i), idx(path, i));
        }
    }

    /** Keys and values of a map that are written to the kernel (sysctl, cgroup files); a key is not quoted in the path. */
    private static void noNul(Map<String, String> map, String path) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail(path, "a key must not contain a NUL byte (a system call would cut it there)");
            }
            noNul(e.getValue(), JsonPaths.field(path, e.getKey()));
        }
    }

    /** Why an environment entry cannot be passed to execve, or null: it must be NAME=value with a name (as runc). */
    public static String envProblem(String entry) {
        String nul = nulProblem(entry);
        if (nul != null) {
            return nul;
        }
        int eq = entry.indexOf('=');
        if (eq < 0) {
            return "must be NAME=value (no '=')";
        }
        if (eq == 0) {
            return "must be NAME=value (the name is empty)";
        }
        return null;
    }

    private static void env(List<String> env, String path) {
        for (int i = 0; i < env.size(); i++) {
            String problem = envProblem(env.get(i));
            if (problem != null) {
                throw fail(idx(path, i), problem);
            }
        }
    }

    private static void nonEmptyKeys(Map<String, ?> map, String path) {
        for (String key : map.keySet()) {
            if (key.isEmpty()) {
                throw fail(path + "[\"\"]", "keys must not be empty");
            }
        }
    }

    private void config(Config c) {
        present(c.ociVersion(), "ociVersion");
        ociVersion(c.ociVersion());
        present(c.root(), "root");
        if (c.root().path() == null || c.root().path().isEmpty()) {
            throw fail("root.path", c.root().path() == null ? "required field is missing" : "must not be empty");
        }
        noNul(c.root().path(), "root.path");
        noNul(c.hostname(), "hostname");
        noNul(c.domainname(), "domainname");
        if (c.process() != null) {
            process(c.process());
        }
        for (int i = 0; i < c.mounts().size(); i++) {
            mount(c.mounts().get(i), idx("mounts", i));
        }
        if (c.hooks() != null) {
            hooks(c.hooks());
        }
        nonEmptyKeys(c.annotations(), "annotations");
        if (c.linux() != null) {
            linux(c.linux());
        }
    }

    static void ociVersion(String v) {
        // SemVer 2.0.0: MAJOR.MINOR.PATCH[-pre][+build]; "1.0.2-dev" is what runc 1.1 writes.
        int end = v.length();
        int dash = v.indexOf('-');
        int plus = v.indexOf('+');
        int core = dash >= 0 ? dash : plus >= 0 ? plus : end;
        String[] parts = v.substring(0, core).split("\\.", -1);
        if (parts.length != 3 || !number(parts[0]) || !number(parts[1]) || !number(parts[2])
                || core < end && core == end - 1) {
            throw fail("ociVersion", "must be a SemVer 2.0.0 version such as 1.2.0");
        }
        if (!parts[0].equals(Integer.toString(SUPPORTED_MAJOR)) || parts[1].length() > 3
                || Integer.parseInt(parts[1]) > SUPPORTED_MINOR) {
            throw fail("ociVersion", "unsupported version: this runtime implements runtime-spec 1.0 to "
                    + SUPPORTED_MAJOR + "." + SUPPORTED_MINOR);
        }
    }

    private static boolean number(String s) {
        if (s.isEmpty() || s.length() > 9 || s.length() > 1 && s.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private void process(Process p) {
        present(p.cwd(), "process.cwd");
        absolute(p.cwd(), "process.cwd");
        noNul(p.cwd(), "process.cwd");
        if (p.args().isEmpty()) {
            throw fail("process.args", "at least one argument is required");
        }
        noNul(p.args(), "process.args");
        env(p.env(), "process.env");
        if (p.user() != null) {
            id(p.user().uid(), "process.user.uid");
            id(p.user().gid(), "process.user.gid");
            for (int i = 0; i < p.user().additionalGids().size(); i++) {
                id(p.user().additionalGids().get(i), idx("process.user.additionalGids", i));
            }
        }
        noNul(p.apparmorProfile(), "process.apparmorProfile");
        noNul(p.selinuxLabel(), "process.selinuxLabel");
        if (p.capabilities() != null) {
            Capabilities caps = p.capabilities();
            capNames(caps.bounding(), "process.capabilities.bounding");
            capNames(caps.effective(), "process.capabilities.effective");
            capNames(caps.inheritable(), "process.capabilities.inheritable");
            capNames(caps.permitted(), "process.capabilities.permitted");
            capNames(caps.ambient(), "process.capabilities.ambient");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.rlimits().size(); i++) {
            Rlimit r = p.rlimits().get(i);
            String path = idx("process.rlimits", i);
            present(r.type(), path + ".type");
            if (!RlimitNames.known(r.type())) {
                throw fail(path + ".type", "unknown rlimit type");
            }
            if (!seen.add(r.type())) {
                throw fail(path + ".type", "duplicate rlimit type");
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                throw fail(path + ".soft", "soft limit is above the hard limit");
            }
        }
        if (p.oomScoreAdj() != null && (p.oomScoreAdj() < -1000 || p.oomScoreAdj() > 1000)) {
            throw fail("process.oomScoreAdj", "must be between -1000 and 1000");
        }
        if (p.ioPriority() != null) {
            present(p.ioPriority().ioClass(), "process.ioPriority.class");
            if (!IOPRIO_CLASSES.contains(p.ioPriority().ioClass())) {
                throw fail("process.ioPriority.class", "unknown I/O priority class");
            }
            if (p.ioPriority().priority() < 0 || p.ioPriority().priority() > 7) {
                throw fail("process.ioPriority.priority", "must be between 0 and 7");
            }
        }
        if (p.scheduler() != null) {
            Scheduler s = p.scheduler();
            present(s.policy(), "process.scheduler.policy");
            if (!SCHED_POLICIES.contains(s.policy())) {
                throw fail("process.scheduler.policy", "unknown scheduling policy");
            }
            if (s.nice() != null && (s.nice() < -20 || s.nice() > 19)) {
                throw fail("process.scheduler.nice", "must be between -20 and 19");
            }
            for (int i = 0; i < s.flags().size(); i++) {
                if (!SCHED_FLAGS.contains(s.flags().get(i))) {
                    throw fail(idx("process.scheduler.flags", i), "unknown scheduler flag");
                }
            }
        }
        if (p.execCPUAffinity() != null) {
            cpuList(p.execCPUAffinity().initial(), "process.execCPUAffinity.initial");
            cpuList(p.execCPUAffinity().finalCpus(), "process.execCPUAffinity.final");
        }
    }

    private static void capNames(List<String> names, String path) {
        for (int i = 0; i < names.size(); i++) {
            if (CapabilityNames.lookup(names.get(i)) < 0) {
                throw fail(idx(path, i), "unknown capability");
            }
        }
    }

    /** {@code 0-3,7}: comma-separated numbers and ranges; empty means unset. */
    static void cpuList(String list, String path) {
        if (list == null || list.isEmpty()) {
            return;
        }
        for (String part : list.split(",", -1)) {
            int dash = part.indexOf('-');
            String lo = dash < 0 ? part : part.substring(0, dash);
            String hi = dash < 0 ? part : part.substring(dash + 1);
            if (!digits(lo) || !digits(hi) || Long.parseLong(lo) > Long.parseLong(hi)) {
                throw fail(path, "must be a CPU list such as 0-3,7");
            }
        }
    }

    private static boolean digits(String s) {
        if (s.isEmpty() || s.length() > 6) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private void mount(Mount m, String path) {
        present(m.destination(), path + ".destination");
        if (m.destination().isEmpty()) {
            throw fail(path + ".destination", "must not be empty");
        }
        noNul(m.destination(), path + ".destination");
        noNul(m.source(), path + ".source");
        noNul(m.type(), path + ".type");
        noNul(m.options(), path + ".options");
        idMappings(m.uidMappings(), path + ".uidMappings");
        idMappings(m.gidMappings(), path + ".gidMappings");
    }

    private void hooks(Hooks h) {
        hookList(h.prestart(), "hooks.prestart");
        hookList(h.createRuntime(), "hooks.createRuntime");
        hookList(h.createContainer(), "hooks.createContainer");
        hookList(h.startContainer(), "hooks.startContainer");
        hookList(h.poststart(), "hooks.poststart");
        hookList(h.poststop(), "hooks.poststop");
    }

    private static void hookList(List<Hook> hooks, String path) {
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            String at = idx(path, i);
            present(h.path(), at + ".path");
            absolute(h.path(), at + ".path");
            noNul(h.path(), at + ".path");
            noNul(h.args(), at + ".args");
            env(h.env(), at + ".env");
            if (h.timeout() != null && h.timeout() <= 0) {
                throw fail(at + ".timeout", "must be greater than zero");
            }
        }
    }

    /** Each mapping must have a size and no two may overlap, neither inside the container nor on the host. */
    static void idMappings(List<IdMapping> maps, String path) {
        for (int i = 0; i < maps.size(); i++) {
            IdMapping m = maps.get(i);
            String at = idx(path, i);
            id(m.containerID(), at + ".containerID");
            id(m.hostID(), at + ".hostID");
            if (m.size() <= 0) {
                throw fail(at + ".size", "must be greater than zero");
            }
            // The kernel's map_write refuses a range whose end wraps in 32 bits, and (uid_t)-1 is no id.
            if (m.containerID() + m.size() > NO_ID) {
                throw fail(at + ".size", "range goes past the largest id (4294967294)");
            }
            if (m.hostID() + m.size() > NO_ID) {
                throw fail(at + ".size", "range goes past the largest host id (4294967294)");
            }
            for (int j = 0; j < i; j++) {
                IdMapping o = maps.get(j);
                if (overlaps(m.containerID(), m.size(), o.containerID(), o.size())) {
                    throw fail(at + ".containerID", "overlaps the container range of entry " + j);
                }
                if (overlaps(m.hostID(), m.size(), o.hostID(), o.size())) {
                    throw fail(at + ".hostID", "overlaps the host range of entry " + j);
                }
            }
        }
    }

    private static boolean overlaps(long a, long aSize, long b, long bSize) {
        return a < b + bSize && b < a + aSize;
    }

    private void linux(Linux l) {
        EnumSet<NamespaceType> seen = EnumSet.noneOf(NamespaceType.class);
        for (int i = 0; i < l.namespaces().size(); i++) {
            LinuxNamespace ns = l.namespaces().get(i);
            String at = idx("linux.namespaces", i);
            present(ns.type(), at + ".type");
            if (!seen.add(ns.type())) {
                throw fail(at + ".type", "duplicate namespace type");
            }
            if (ns.path() != null) {
                absolute(ns.path(), at + ".path");
                noNul(ns.path(), at + ".path");
            }
        }
        idMappings(l.uidMappings(), "linux.uidMappings");
        idMappings(l.gidMappings(), "linux.gidMappings");
        for (int i = 0; i < l.devices().size(); i++) {
            LinuxDevice d = l.devices().get(i);
            String at = idx("linux.devices", i);
            present(d.path(), at + ".path");
            absolute(d.path(), at + ".path");
            noNul(d.path(), at + ".path");
            if (d.uid() != null) {
                id(d.uid(), at + ".uid");
            }
            if (d.gid() != null) {
                id(d.gid(), at + ".gid");
            }
            present(d.type(), at + ".type");
            if (!DEVICE_TYPES.contains(d.type())) {
                throw fail(at + ".type", "must be c, b, u or p");
            }
        }
        if (l.resources() != null) {
            resources(l.resources());
        }
        noNul(l.cgroupsPath(), "linux.cgroupsPath");
        nonEmptyKeys(l.sysctl(), "linux.sysctl");
        noNul(l.sysctl(), "linux.sysctl");
        noNul(l.mountLabel(), "linux.mountLabel");
        if (l.seccomp() != null) {
            seccomp(l.seccomp());
        }
        if (l.rootfsPropagation() != null && !PROPAGATIONS.contains(l.rootfsPropagation())) {
            throw fail("linux.rootfsPropagation", "must be shared, slave, private or unbindable");
        }
        for (int i = 0; i < l.maskedPaths().size(); i++) {
            absolute(l.maskedPaths().get(i), idx("linux.maskedPaths", i));
        }
        noNul(l.maskedPaths(), "linux.maskedPaths");
        for (int i = 0; i < l.readonlyPaths().size(); i++) {
            absolute(l.readonlyPaths().get(i), idx("linux.readonlyPaths", i));
        }
        noNul(l.readonlyPaths(), "linux.readonlyPaths");
        if (l.personality() != null) {
            present(l.personality().domain(), "linux.personality.domain");
            if (!l.personality().domain().equals("LINUX") && !l.personality().domain().equals("LINUX32")) {
                throw fail("linux.personality.domain", "must be LINUX or LINUX32");
            }
            if (!l.personality().flags().isEmpty()) {
                throw fail("linux.personality.flags[0]", "no personality flags are supported");
            }
        }
        if (l.intelRdt() != null) {
            IntelRdt r = l.intelRdt();
            noNul(r.closID(), "linux.intelRdt.closID");
            noNewline(r.closID(), "linux.intelRdt.closID");
            noNewline(r.l3CacheSchema(), "linux.intelRdt.l3CacheSchema");
            noNewline(r.memBwSchema(), "linux.intelRdt.memBwSchema");
            if (r.memBwSchema() != null && !r.memBwSchema().startsWith("MB:")) {
                throw fail("linux.intelRdt.memBwSchema", "must start with MB:");
            }
            for (int i = 0; i < r.schemata().size(); i++) {
                noNewline(r.schemata().get(i), idx("linux.intelRdt.schemata", i));
            }
        }
        for (Map.Entry<String, TimeOffset> e : l.timeOffsets().entrySet()) {
            String at = JsonPaths.field("linux.timeOffsets", e.getKey());
            if (!TIME_CLOCKS.contains(e.getKey())) {
                throw fail(at, "unknown clock (monotonic or boottime)");
            }
            Long ns = e.getValue().nanosecs();
            if (ns != null && ns >= 1_000_000_000L) {
                throw fail(at + ".nanosecs", "must be below 1000000000");
            }
        }
        if (!l.timeOffsets().isEmpty() && l.namespace(NamespaceType.TIME) == null) {
            throw fail("linux.timeOffsets", "needs a time namespace in linux.namespaces");
        }
        nonEmptyKeys(l.netDevices(), "linux.netDevices");
        for (Map.Entry<String, LinuxNetDevice> e : l.netDevices().entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail("linux.netDevices", "a key must not contain a NUL byte (a system call would cut it there)");
            }
            noNul(e.getValue().name(), JsonPaths.field("linux.netDevices", e.getKey()) + ".name");
        }
        if (l.memoryPolicy() != null) {
            LinuxMemoryPolicy mp = l.memoryPolicy();
            present(mp.mode(), "linux.memoryPolicy.mode");
            if (!MPOL_MODES.contains(mp.mode())) {
                throw fail("linux.memoryPolicy.mode", "unknown memory policy mode");
            }
            for (int i = 0; i < mp.flags().size(); i++) {
                if (!MPOL_FLAGS.contains(mp.flags().get(i))) {
                    throw fail(idx("linux.memoryPolicy.flags", i), "unknown memory policy flag");
                }
            }
        }
        if ((!l.uidMappings().isEmpty() || !l.gidMappings().isEmpty())
                && l.namespace(NamespaceType.USER) == null) {
            throw fail(l.uidMappings().isEmpty() ? "linux.gidMappings" : "linux.uidMappings",
                    "id mappings need a user namespace in linux.namespaces");
        }
    }

    private void resources(LinuxResources r) {
        for (int i = 0; i < r.devices().size(); i++) {
            LinuxResources.DeviceCgroup d = r.devices().get(i);
            String at = idx("linux.resources.devices", i);
            if (d.type() != null && !DEVICE_CGROUP_TYPES.contains(d.type())) {
                throw fail(at + ".type", "must be a, c or b");
            }
            if (d.access() != null && !deviceAccess(d.access())) {
                throw fail(at + ".access", "must be made of r, w and m");
            }
        }
        for (int i = 0; i < r.hugepageLimits().size(); i++) {
            String ps = r.hugepageLimits().get(i).pageSize();
            String at = idx("linux.resources.hugepageLimits", i) + ".pageSize";
            present(ps, at);
            if (!PAGE_SIZE.matcher(ps).matches()) {
                throw fail(at, "must be a size such as 2MB or 1GB");
            }
        }
        if (r.pids() != null && r.pids().limit() != null && r.pids().limit() < -1) {
            throw fail("linux.resources.pids.limit", "must be -1 (no limit) or more");
        }
        if (r.cpu() != null) {
            cpuList(r.cpu().cpus(), "linux.resources.cpu.cpus");
            cpuList(r.cpu().mems(), "linux.resources.cpu.mems");
        }
        if (r.network() != null) {
            for (int i = 0; i < r.network().priorities().size(); i++) {
                present(r.network().priorities().get(i).name(), idx("linux.resources.network.priorities", i) + ".name");
                noNul(r.network().priorities().get(i).name(), idx("linux.resources.network.priorities", i) + ".name");
            }
        }
        for (Map.Entry<String, LinuxResources.Rdma> e : r.rdma().entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail("linux.resources.rdma", "a key must not contain a NUL byte (a system call would cut it there)");
            }
            if (e.getValue().hcaHandles() == null && e.getValue().hcaObjects() == null) {
                throw fail(JsonPaths.field("linux.resources.rdma", e.getKey()),
                        "needs hcaHandles or hcaObjects");
            }
        }
        nonEmptyKeys(r.unified(), "linux.resources.unified");
        noNul(r.unified(), "linux.resources.unified");
    }

    /** Up to three of r, w and m (the cgroup v1 devices.allow syntax). */
    private static boolean deviceAccess(String access) {
        if (access.length() > 3) {
            return false;
        }
        for (int i = 0; i < access.length(); i++) {
            char c = access.charAt(i);
            if (c != 'r' && c != 'w' && c != 'm') {
                return false;
            }
        }
        return true;
    }

    private void seccomp(LinuxSeccomp s) {
        present(s.defaultAction(), "linux.seccomp.defaultAction");
        if (!SECCOMP_ACTIONS.contains(s.defaultAction())) {
            throw fail("linux.seccomp.defaultAction", "unknown seccomp action");
        }
        for (int i = 0; i < s.architectures().size(); i++) {
            if (!SECCOMP_ARCHES.contains(s.architectures().get(i))) {
                throw fail(idx("linux.seccomp.architectures", i), "unknown seccomp architecture");
            }
        }
        for (int i = 0; i < s.flags().size(); i++) {
            if (!SECCOMP_FLAGS.contains(s.flags().get(i))) {
                throw fail(idx("linux.seccomp.flags", i), "unknown seccomp flag");
            }
        }
        if (s.listenerMetadata() != null && s.listenerPath() == null) {
            throw fail("linux.seccomp.listenerMetadata", "needs listenerPath");
        }
        if (s.listenerPath() != null) {
            absolute(s.listenerPath(), "linux.seccomp.listenerPath");
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            LinuxSeccomp.Syscall sc = s.syscalls().get(i);
            String at = idx("linux.seccomp.syscalls", i);
            if (sc.names().isEmpty()) {
                throw fail(at + ".names", "at least one syscall name is required");
            }
            // libseccomp resolves a C string: "read\0x" would become a rule for read
            noNul(sc.names(), at + ".names");
            present(sc.action(), at + ".action");
            if (!SECCOMP_ACTIONS.contains(sc.action())) {
                throw fail(at + ".action", "unknown seccomp action");
            }
            for (int j = 0; j < sc.args().size(); j++) {
                LinuxSeccomp.Arg a = sc.args().get(j);
                String aat = idx(at + ".args", j);
                if (a.index() > 5) {
                    throw fail(aat + ".index", "a syscall has at most 6 arguments (index 0 to 5)");
                }
                present(a.op(), aat + ".op");
                if (!SECCOMP_OPS.contains(a.op())) {
                    throw fail(aat + ".op", "unknown seccomp operator");
                }
            }
        }
    }
}
