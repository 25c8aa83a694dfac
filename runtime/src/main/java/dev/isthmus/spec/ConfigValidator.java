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

    private static ConfigReader.Fail fail(At path, String reason) {
        return fail(path.toString(), reason);
    }

    /**
     * A JSON path such as {@code linux.seccomp.syscalls[3].names[0]}, rendered only when a rule
     * fails: validating a sound config builds no path strings. (Concatenating a path for every
     * element checked, most of them fine, was two thirds of the validator's time on podman's
     * config and a quarter of the whole read; issue 16.)
     */
    private record At(At parent, String name, int index) {
        static At of(String path) {
            return new At(null, path, -1);
        }

        /** A field, or a map's key (quoted as {@link JsonPaths#field} does when it is no identifier). */
        At f(String field) {
            return new At(this, field, -1);
        }

        At i(int i) {
            return new At(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return name;
            }
            return name != null ? JsonPaths.field(parent.toString(), name) : JsonPaths.index(parent.toString(), index);
        }
    }

    private static void absolute(String value, At path) {
        if (value == null || value.isEmpty() || value.charAt(0) != '/') {
            throw fail(path, "must be an absolute path");
        }
    }

    private static void present(Object value, At path) {
        if (value == null) {
            throw fail(path, "required field is missing");
        }
    }

    private static void noNewline(String value, At path) {
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

    private static void id(long value, At path) {
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

    private static void noNul(String value, At path) {
        String problem = nulProblem(value);
        if (problem != null) {
            throw fail(path, problem);
        }
    }

    private static void noNul(List<String> values, At path) {
        for (int i = 0; i < values.size(); i++) {
            String problem = nulProblem(values.get(i));
            if (problem != null) {
                throw fail(path.i(i), problem);
            }
        }
    }

    /** Keys and values of a map that are written to the kernel (sysctl, cgroup files); a key is not quoted in the path. */
    private static void noNul(Map<String, String> map, At path) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail(path, "a key must not contain a NUL byte (a system call would cut it there)");
            }
            if (nulProblem(e.getValue()) != null) {
                throw fail(path.f(e.getKey()), nulProblem(e.getValue()));
            }
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

    private static void env(List<String> env, At path) {
        for (int i = 0; i < env.size(); i++) {
            String problem = envProblem(env.get(i));
            if (problem != null) {
                throw fail(path.i(i), problem);
            }
        }
    }

    private static void nonEmptyKeys(Map<String, ?> map, At path) {
        for (String key : map.keySet()) {
            if (key.isEmpty()) {
                throw fail(path.toString() + "[\"\"]", "keys must not be empty");
            }
        }
    }

    private void config(Config c) {
        present(c.ociVersion(), At.of("ociVersion"));
        ociVersion(c.ociVersion());
        present(c.root(), At.of("root"));
        if (c.root().path() == null || c.root().path().isEmpty()) {
            throw fail("root.path", c.root().path() == null ? "required field is missing" : "must not be empty");
        }
        noNul(c.root().path(), At.of("root.path"));
        noNul(c.hostname(), At.of("hostname"));
        noNul(c.domainname(), At.of("domainname"));
        if (c.process() != null) {
            process(c.process());
        }
        for (int i = 0; i < c.mounts().size(); i++) {
            mount(c.mounts().get(i), At.of("mounts").i(i));
        }
        if (c.hooks() != null) {
            hooks(c.hooks());
        }
        nonEmptyKeys(c.annotations(), At.of("annotations"));
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
        present(p.cwd(), At.of("process.cwd"));
        absolute(p.cwd(), At.of("process.cwd"));
        noNul(p.cwd(), At.of("process.cwd"));
        if (p.args().isEmpty()) {
            throw fail("process.args", "at least one argument is required");
        }
        noNul(p.args(), At.of("process.args"));
        env(p.env(), At.of("process.env"));
        if (p.user() != null) {
            id(p.user().uid(), At.of("process.user.uid"));
            id(p.user().gid(), At.of("process.user.gid"));
            for (int i = 0; i < p.user().additionalGids().size(); i++) {
                id(p.user().additionalGids().get(i), At.of("process.user.additionalGids").i(i));
            }
        }
        noNul(p.apparmorProfile(), At.of("process.apparmorProfile"));
        noNul(p.selinuxLabel(), At.of("process.selinuxLabel"));
        if (p.capabilities() != null) {
            Capabilities caps = p.capabilities();
            capNames(caps.bounding(), At.of("process.capabilities.bounding"));
            capNames(caps.effective(), At.of("process.capabilities.effective"));
            capNames(caps.inheritable(), At.of("process.capabilities.inheritable"));
            capNames(caps.permitted(), At.of("process.capabilities.permitted"));
            capNames(caps.ambient(), At.of("process.capabilities.ambient"));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.rlimits().size(); i++) {
            Rlimit r = p.rlimits().get(i);
            At path = At.of("process.rlimits").i(i);
            present(r.type(), path.f("type"));
            if (!RlimitNames.known(r.type())) {
                throw fail(path.f("type"), "unknown rlimit type");
            }
            if (!seen.add(r.type())) {
                throw fail(path.f("type"), "duplicate rlimit type");
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                throw fail(path.f("soft"), "soft limit is above the hard limit");
            }
        }
        if (p.oomScoreAdj() != null && (p.oomScoreAdj() < -1000 || p.oomScoreAdj() > 1000)) {
            throw fail("process.oomScoreAdj", "must be between -1000 and 1000");
        }
        if (p.ioPriority() != null) {
            present(p.ioPriority().ioClass(), At.of("process.ioPriority.class"));
            if (!IOPRIO_CLASSES.contains(p.ioPriority().ioClass())) {
                throw fail("process.ioPriority.class", "unknown I/O priority class");
            }
            if (p.ioPriority().priority() < 0 || p.ioPriority().priority() > 7) {
                throw fail("process.ioPriority.priority", "must be between 0 and 7");
            }
        }
        if (p.scheduler() != null) {
            Scheduler s = p.scheduler();
            present(s.policy(), At.of("process.scheduler.policy"));
            if (!SCHED_POLICIES.contains(s.policy())) {
                throw fail("process.scheduler.policy", "unknown scheduling policy");
            }
            if (s.nice() != null && (s.nice() < -20 || s.nice() > 19)) {
                throw fail("process.scheduler.nice", "must be between -20 and 19");
            }
            for (int i = 0; i < s.flags().size(); i++) {
                if (!SCHED_FLAGS.contains(s.flags().get(i))) {
                    throw fail(At.of("process.scheduler.flags").i(i), "unknown scheduler flag");
                }
            }
        }
        if (p.execCPUAffinity() != null) {
            cpuList(p.execCPUAffinity().initial(), At.of("process.execCPUAffinity.initial"));
            cpuList(p.execCPUAffinity().finalCpus(), At.of("process.execCPUAffinity.final"));
        }
    }

    private static void capNames(List<String> names, At path) {
        for (int i = 0; i < names.size(); i++) {
            if (CapabilityNames.lookup(names.get(i)) < 0) {
                throw fail(path.i(i), "unknown capability");
            }
        }
    }

    /** {@code 0-3,7}: comma-separated numbers and ranges; empty means unset. */
    static void cpuList(String list, At path) {
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

    private void mount(Mount m, At path) {
        present(m.destination(), path.f("destination"));
        if (m.destination().isEmpty()) {
            throw fail(path.f("destination"), "must not be empty");
        }
        noNul(m.destination(), path.f("destination"));
        noNul(m.source(), path.f("source"));
        noNul(m.type(), path.f("type"));
        noNul(m.options(), path.f("options"));
        idMappings(m.uidMappings(), path.f("uidMappings"));
        idMappings(m.gidMappings(), path.f("gidMappings"));
    }

    private void hooks(Hooks h) {
        hookList(h.prestart(), At.of("hooks.prestart"));
        hookList(h.createRuntime(), At.of("hooks.createRuntime"));
        hookList(h.createContainer(), At.of("hooks.createContainer"));
        hookList(h.startContainer(), At.of("hooks.startContainer"));
        hookList(h.poststart(), At.of("hooks.poststart"));
        hookList(h.poststop(), At.of("hooks.poststop"));
    }

    private static void hookList(List<Hook> hooks, At path) {
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            At at = path.i(i);
            present(h.path(), at.f("path"));
            absolute(h.path(), at.f("path"));
            noNul(h.path(), at.f("path"));
            noNul(h.args(), at.f("args"));
            env(h.env(), at.f("env"));
            if (h.timeout() != null && h.timeout() <= 0) {
                throw fail(at.f("timeout"), "must be greater than zero");
            }
        }
    }

    /** Each mapping must have a size and no two may overlap, neither inside the container nor on the host. */
    static void idMappings(List<IdMapping> maps, At path) {
        for (int i = 0; i < maps.size(); i++) {
            IdMapping m = maps.get(i);
            At at = path.i(i);
            id(m.containerID(), at.f("containerID"));
            id(m.hostID(), at.f("hostID"));
            if (m.size() <= 0) {
                throw fail(at.f("size"), "must be greater than zero");
            }
            // The kernel's map_write refuses a range whose end wraps in 32 bits, and (uid_t)-1 is no id.
            if (m.containerID() + m.size() > NO_ID) {
                throw fail(at.f("size"), "range goes past the largest id (4294967294)");
            }
            if (m.hostID() + m.size() > NO_ID) {
                throw fail(at.f("size"), "range goes past the largest host id (4294967294)");
            }
            for (int j = 0; j < i; j++) {
                IdMapping o = maps.get(j);
                if (overlaps(m.containerID(), m.size(), o.containerID(), o.size())) {
                    throw fail(at.f("containerID"), "overlaps the container range of entry " + j);
                }
                if (overlaps(m.hostID(), m.size(), o.hostID(), o.size())) {
                    throw fail(at.f("hostID"), "overlaps the host range of entry " + j);
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
            At at = At.of("linux.namespaces").i(i);
            present(ns.type(), at.f("type"));
            if (!seen.add(ns.type())) {
                throw fail(at.f("type"), "duplicate namespace type");
            }
            if (ns.path() != null) {
                absolute(ns.path(), at.f("path"));
                noNul(ns.path(), at.f("path"));
            }
        }
        idMappings(l.uidMappings(), At.of("linux.uidMappings"));
        idMappings(l.gidMappings(), At.of("linux.gidMappings"));
        for (int i = 0; i < l.devices().size(); i++) {
            LinuxDevice d = l.devices().get(i);
            At at = At.of("linux.devices").i(i);
            present(d.path(), at.f("path"));
            absolute(d.path(), at.f("path"));
            noNul(d.path(), at.f("path"));
            if (d.uid() != null) {
                id(d.uid(), at.f("uid"));
            }
            if (d.gid() != null) {
                id(d.gid(), at.f("gid"));
            }
            present(d.type(), at.f("type"));
            if (!DEVICE_TYPES.contains(d.type())) {
                throw fail(at.f("type"), "must be c, b, u or p");
            }
        }
        if (l.resources() != null) {
            resources(l.resources());
        }
        noNul(l.cgroupsPath(), At.of("linux.cgroupsPath"));
        nonEmptyKeys(l.sysctl(), At.of("linux.sysctl"));
        noNul(l.sysctl(), At.of("linux.sysctl"));
        noNul(l.mountLabel(), At.of("linux.mountLabel"));
        if (l.seccomp() != null) {
            seccomp(l.seccomp());
        }
        if (l.rootfsPropagation() != null && !PROPAGATIONS.contains(l.rootfsPropagation())) {
            throw fail("linux.rootfsPropagation", "must be shared, slave, private or unbindable");
        }
        for (int i = 0; i < l.maskedPaths().size(); i++) {
            absolute(l.maskedPaths().get(i), At.of("linux.maskedPaths").i(i));
        }
        noNul(l.maskedPaths(), At.of("linux.maskedPaths"));
        for (int i = 0; i < l.readonlyPaths().size(); i++) {
            absolute(l.readonlyPaths().get(i), At.of("linux.readonlyPaths").i(i));
        }
        noNul(l.readonlyPaths(), At.of("linux.readonlyPaths"));
        if (l.personality() != null) {
            present(l.personality().domain(), At.of("linux.personality.domain"));
            if (!l.personality().domain().equals("LINUX") && !l.personality().domain().equals("LINUX32")) {
                throw fail("linux.personality.domain", "must be LINUX or LINUX32");
            }
            if (!l.personality().flags().isEmpty()) {
                throw fail("linux.personality.flags[0]", "no personality flags are supported");
            }
        }
        if (l.intelRdt() != null) {
            IntelRdt r = l.intelRdt();
            noNul(r.closID(), At.of("linux.intelRdt.closID"));
            noNewline(r.closID(), At.of("linux.intelRdt.closID"));
            noNewline(r.l3CacheSchema(), At.of("linux.intelRdt.l3CacheSchema"));
            noNewline(r.memBwSchema(), At.of("linux.intelRdt.memBwSchema"));
            if (r.memBwSchema() != null && !r.memBwSchema().startsWith("MB:")) {
                throw fail("linux.intelRdt.memBwSchema", "must start with MB:");
            }
            for (int i = 0; i < r.schemata().size(); i++) {
                noNewline(r.schemata().get(i), At.of("linux.intelRdt.schemata").i(i));
            }
        }
        for (Map.Entry<String, TimeOffset> e : l.timeOffsets().entrySet()) {
            At at = At.of("linux.timeOffsets").f(e.getKey());
            if (!TIME_CLOCKS.contains(e.getKey())) {
                throw fail(at, "unknown clock (monotonic or boottime)");
            }
            Long ns = e.getValue().nanosecs();
            if (ns != null && ns >= 1_000_000_000L) {
                throw fail(at.f("nanosecs"), "must be below 1000000000");
            }
        }
        if (!l.timeOffsets().isEmpty() && l.namespace(NamespaceType.TIME) == null) {
            throw fail("linux.timeOffsets", "needs a time namespace in linux.namespaces");
        }
        nonEmptyKeys(l.netDevices(), At.of("linux.netDevices"));
        for (Map.Entry<String, LinuxNetDevice> e : l.netDevices().entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail("linux.netDevices", "a key must not contain a NUL byte (a system call would cut it there)");
            }
            noNul(e.getValue().name(), At.of("linux.netDevices").f(e.getKey()).f("name"));
        }
        if (l.memoryPolicy() != null) {
            LinuxMemoryPolicy mp = l.memoryPolicy();
            present(mp.mode(), At.of("linux.memoryPolicy.mode"));
            if (!MPOL_MODES.contains(mp.mode())) {
                throw fail("linux.memoryPolicy.mode", "unknown memory policy mode");
            }
            for (int i = 0; i < mp.flags().size(); i++) {
                if (!MPOL_FLAGS.contains(mp.flags().get(i))) {
                    throw fail(At.of("linux.memoryPolicy.flags").i(i), "unknown memory policy flag");
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
            At at = At.of("linux.resources.devices").i(i);
            if (d.type() != null && !DEVICE_CGROUP_TYPES.contains(d.type())) {
                throw fail(at.f("type"), "must be a, c or b");
            }
            if (d.access() != null && !deviceAccess(d.access())) {
                throw fail(at.f("access"), "must be made of r, w and m");
            }
        }
        for (int i = 0; i < r.hugepageLimits().size(); i++) {
            String ps = r.hugepageLimits().get(i).pageSize();
            At at = At.of("linux.resources.hugepageLimits").i(i).f("pageSize");
            present(ps, at);
            if (!PAGE_SIZE.matcher(ps).matches()) {
                throw fail(at, "must be a size such as 2MB or 1GB");
            }
        }
        if (r.pids() != null && r.pids().limit() != null && r.pids().limit() < -1) {
            throw fail("linux.resources.pids.limit", "must be -1 (no limit) or more");
        }
        if (r.cpu() != null) {
            cpuList(r.cpu().cpus(), At.of("linux.resources.cpu.cpus"));
            cpuList(r.cpu().mems(), At.of("linux.resources.cpu.mems"));
        }
        if (r.network() != null) {
            for (int i = 0; i < r.network().priorities().size(); i++) {
                At at = At.of("linux.resources.network.priorities").i(i).f("name");
                present(r.network().priorities().get(i).name(), at);
                noNul(r.network().priorities().get(i).name(), at);
            }
        }
        for (Map.Entry<String, LinuxResources.Rdma> e : r.rdma().entrySet()) {
            if (nulProblem(e.getKey()) != null) {
                throw fail("linux.resources.rdma", "a key must not contain a NUL byte (a system call would cut it there)");
            }
            if (e.getValue().hcaHandles() == null && e.getValue().hcaObjects() == null) {
                throw fail(At.of("linux.resources.rdma").f(e.getKey()),
                        "needs hcaHandles or hcaObjects");
            }
        }
        nonEmptyKeys(r.unified(), At.of("linux.resources.unified"));
        noNul(r.unified(), At.of("linux.resources.unified"));
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
        present(s.defaultAction(), At.of("linux.seccomp.defaultAction"));
        if (!SECCOMP_ACTIONS.contains(s.defaultAction())) {
            throw fail("linux.seccomp.defaultAction", "unknown seccomp action");
        }
        for (int i = 0; i < s.architectures().size(); i++) {
            if (!SECCOMP_ARCHES.contains(s.architectures().get(i))) {
                throw fail(At.of("linux.seccomp.architectures").i(i), "unknown seccomp architecture");
            }
        }
        for (int i = 0; i < s.flags().size(); i++) {
            if (!SECCOMP_FLAGS.contains(s.flags().get(i))) {
                throw fail(At.of("linux.seccomp.flags").i(i), "unknown seccomp flag");
            }
        }
        if (s.listenerMetadata() != null && s.listenerPath() == null) {
            throw fail("linux.seccomp.listenerMetadata", "needs listenerPath");
        }
        if (s.listenerPath() != null) {
            absolute(s.listenerPath(), At.of("linux.seccomp.listenerPath"));
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            LinuxSeccomp.Syscall sc = s.syscalls().get(i);
            At at = At.of("linux.seccomp.syscalls").i(i);
            if (sc.names().isEmpty()) {
                throw fail(at.f("names"), "at least one syscall name is required");
            }
            // libseccomp resolves a C string: "read\0x" would become a rule for read
            noNul(sc.names(), at.f("names"));
            present(sc.action(), at.f("action"));
            if (!SECCOMP_ACTIONS.contains(sc.action())) {
                throw fail(at.f("action"), "unknown seccomp action");
            }
            for (int j = 0; j < sc.args().size(); j++) {
                LinuxSeccomp.Arg a = sc.args().get(j);
                At aat = at.f("args").i(j);
                if (a.index() > 5) {
                    throw fail(aat.f("index"), "a syscall has at most 6 arguments (index 0 to 5)");
                }
                present(a.op(), aat.f("op"));
                if (!SECCOMP_OPS.contains(a.op())) {
                    throw fail(aat.f("op"), "unknown seccomp operator");
                }
            }
        }
    }
}
