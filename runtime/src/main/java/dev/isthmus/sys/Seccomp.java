package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.ffm.seccomp.scmp_arg_cmp;
import dev.isthmus.ffm.seccomp.scmp_version;
import dev.isthmus.plan.PlanException;
import dev.isthmus.spec.LinuxSeccomp;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles {@code linux.seccomp} into a classic BPF program with libseccomp, in the JVM: the
 * filter is built with {@code seccomp_init}/{@code seccomp_rule_add_array}, written out with
 * {@code seccomp_export_bpf} into a memfd and read back. The spawn program then installs those
 * bytes with seccomp(2) (no libseccomp, no Java in the child).
 *
 * <p>libseccomp (libseccomp.so.2) is looked up the first time a config has {@code linux.seccomp};
 * a host without it gets a clear error then, and only then.
 *
 * <p>Names as in the runtime spec (config-linux.md, "Seccomp"): actions, operators and
 * architectures are libseccomp's {@code SCMP_*} names. A syscall name that libseccomp does not
 * know for this architecture is skipped and reported in {@link Filter#unknownNames()} (a profile
 * written for several kernels names syscalls that one of them lacks); everything else that
 * cannot be compiled is an error naming the field.
 */
public final class Seccomp {
    private Seccomp() {}

    /**
     * A compiled filter.
     *
     * @param bpf          struct sock_filter[]: 8 bytes per instruction, native byte order
     * @param flags        the SECCOMP_FILTER_FLAG_* bits for seccomp(2)
     * @param flagNames    those flags spelled out ("0" when none), for listings
     * @param rules        how many (syscall, rule) pairs went into the filter
     * @param unknownNames the names skipped because libseccomp does not know them, as
     *                     "linux.seccomp.syscalls[I].names[J] (NAME)"
     */
    public record Filter(byte[] bpf, long flags, String flagNames, int rules, List<String> unknownNames) {
        public Filter {
            bpf = bpf.clone();
            unknownNames = List.copyOf(unknownNames);
        }

        @Override
        public byte[] bpf() {
            return bpf.clone();
        }

        public int instructions() {
            return bpf.length / 8;
        }
    }

    /** seccomp(2)'s operation for a BPF filter. */
    public static final long SET_MODE_FILTER = Linux.SECCOMP_SET_MODE_FILTER();
    /** seccomp_data.arch of this architecture's system calls. */
    public static final int AUDIT_ARCH_NATIVE = Arch.planning().auditArch();
    /** SECCOMP_RET_* values of a filter's result (linux/seccomp.h), masked with {@link #RET_ACTION_FULL}. */
    public static final int RET_ACTION_FULL = Linux.SECCOMP_RET_ACTION_FULL();
    public static final int RET_KILL_PROCESS = Linux.SECCOMP_RET_KILL_PROCESS();
    public static final int RET_KILL_THREAD = Linux.SECCOMP_RET_KILL_THREAD();
    public static final int RET_TRAP = Linux.SECCOMP_RET_TRAP();
    public static final int RET_ERRNO = Linux.SECCOMP_RET_ERRNO();
    public static final int RET_TRACE = Linux.SECCOMP_RET_TRACE();
    public static final int RET_LOG = Linux.SECCOMP_RET_LOG();
    public static final int RET_ALLOW = Linux.SECCOMP_RET_ALLOW();

    /** BPF_MAXINSNS (linux/bpf_common.h): the kernel's limit for one classic BPF program. */
    public static final int MAX_INSTRUCTIONS = 4096;

    // Actions: libseccomp's values (seccomp.h); ERRNO and TRACE carry 16 bits of data.
    private static final String ERRNO = "SCMP_ACT_ERRNO";
    private static final String TRACE = "SCMP_ACT_TRACE";
    private static final String NOTIFY = "SCMP_ACT_NOTIFY";

    /** Flags of seccomp(2) the spec names, and whether isthmus applies them. */
    private enum FilterFlag {
        SECCOMP_FILTER_FLAG_TSYNC(Linux.SECCOMP_FILTER_FLAG_TSYNC(), null),
        SECCOMP_FILTER_FLAG_LOG(Linux.SECCOMP_FILTER_FLAG_LOG(), null),
        SECCOMP_FILTER_FLAG_SPEC_ALLOW(Linux.SECCOMP_FILTER_FLAG_SPEC_ALLOW(), null),
        // The kernel takes it only with SECCOMP_FILTER_FLAG_NEW_LISTENER (seccomp(2)): a listener
        // for SCMP_ACT_NOTIFY, which isthmus does not support.
        SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV(Linux.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV(),
                "only means something with a seccomp listener (SCMP_ACT_NOTIFY), which isthmus does not support");

        final long value;
        final String unsupported;

        FilterFlag(long value, String unsupported) {
            this.value = value;
            this.unsupported = unsupported;
        }
    }

    /** The actions isthmus compiles, in the order features lists them. */
    public static final List<String> ACTIONS = List.of("SCMP_ACT_ALLOW", ERRNO, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", TRACE, "SCMP_ACT_TRAP");
    public static final List<String> OPERATORS = List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
            "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE");
    /** Every flag the spec names (features' knownFlags). */
    public static final List<String> KNOWN_FLAGS = java.util.Arrays.stream(FilterFlag.values()).map(Enum::name).toList();
    /** The architectures the spec lists (libseccomp 2.5); which of them libseccomp knows is asked at run time. */
    private static final List<String> SPEC_ARCHES = List.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    /** The last compiled config and its filter: a many-task launch plans the same config per task. */
    private record Cached(LinuxSeccomp config, Filter filter, boolean compiled) {}

    private static volatile Cached last;

    /** Where compiled filters outlive this process (see {@link SeccompCache}), or null. */
    private static volatile SeccompCache disk;

    /**
     * libseccomp, linked on first use. The generated class opens the library in its static
     * initialiser; a host without libseccomp.so.2 fails there, once, and {@link #problem} says so.
     */
    private static final class Lib {
        static final String problem;

        static {
            String p = null;
            try {
                dev.isthmus.ffm.seccomp.Seccomp.seccomp_arch_native();
            } catch (LinkageError | IllegalArgumentException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                p = "libseccomp.so.2 cannot be loaded (" + cause.getMessage()
                        + "); install libseccomp2 (Debian, Ubuntu) or libseccomp (Fedora)";
            }
            problem = p;
        }
    }

    /** Whether libseccomp.so.2 could be loaded. */
    public static boolean available() {
        return Lib.problem == null;
    }

    /** Why libseccomp cannot be used, or null. */
    public static String unavailableReason() {
        return Lib.problem;
    }

    /** libseccomp's version, "2.5.4" (null when it is absent). */
    public static String libraryVersion() {
        if (!available()) {
            return null;
        }
        MemorySegment v = Native.at(dev.isthmus.ffm.seccomp.Seccomp.seccomp_version().address(), scmp_version.sizeof());
        return scmp_version.major(v) + "." + scmp_version.minor(v) + "." + scmp_version.micro(v);
    }

    /** The spec's architecture names that this libseccomp knows. */
    public static List<String> architectures() {
        List<String> out = new ArrayList<>();
        if (!available()) {
            return out;
        }
        try (Arena a = Arena.ofConfined()) {
            for (String name : SPEC_ARCHES) {
                if (archToken(a, name) != 0) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** The libseccomp action value of {@code name} with {@code errnoRet} (null: EPERM where it applies). */
    static int action(String name, Long errnoRet, String field, String errnoField) throws PlanException {
        if (errnoRet != null && !name.equals(ERRNO) && !name.equals(TRACE)) {
            throw new PlanException(errnoField, name + " takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
        }
        long data = errnoRet == null ? Errno.EPERM.number() : errnoRet;
        if (data < 0 || data > 0xffff) {
            throw new PlanException(errnoField, "must be between 0 and 65535 (16 bits of SECCOMP_RET_DATA)");
        }
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_ALLOW();
            case "SCMP_ACT_KILL" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_KILL();
            case "SCMP_ACT_KILL_THREAD" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_KILL_THREAD();
            case "SCMP_ACT_KILL_PROCESS" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_KILL_PROCESS();
            case "SCMP_ACT_TRAP" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_TRAP();
            case "SCMP_ACT_LOG" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_ACT_LOG();
            // SCMP_ACT_ERRNO(x) and SCMP_ACT_TRACE(x) are function-like macros in seccomp.h.
            case ERRNO -> 0x00050000 | (int) data;
            case TRACE -> 0x7ff00000 | (int) data;
            case NOTIFY -> throw new PlanException(field, "SCMP_ACT_NOTIFY is not supported: isthmus has no seccomp listener"
                    + " (linux.seccomp.listenerPath)");
            default -> throw new PlanException(field, "unknown seccomp action (one of " + String.join(", ", ACTIONS) + ")");
        };
    }

    private static int operator(String op, String field) throws PlanException {
        return switch (op) {
            case "SCMP_CMP_NE" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_NE();
            case "SCMP_CMP_LT" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_LT();
            case "SCMP_CMP_LE" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_LE();
            case "SCMP_CMP_EQ" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_EQ();
            case "SCMP_CMP_GE" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_GE();
            case "SCMP_CMP_GT" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_GT();
            case "SCMP_CMP_MASKED_EQ" -> dev.isthmus.ffm.seccomp.Seccomp.SCMP_CMP_MASKED_EQ();
            case null -> throw new PlanException(field, "required");
            default -> throw new PlanException(field, "unknown seccomp operator (one of " + String.join(", ", OPERATORS) + ")");
        };
    }

    /** libseccomp's token for a spec name such as SCMP_ARCH_X86_64 (its name there is "x86_64"), or 0. */
    private static int archToken(Arena a, String specName) {
        if (!specName.startsWith("SCMP_ARCH_") || specName.length() == "SCMP_ARCH_".length()) {
            return 0;
        }
        String name = specName.substring("SCMP_ARCH_".length()).toLowerCase(Locale.ROOT);
        return dev.isthmus.ffm.seccomp.Seccomp.seccomp_arch_resolve_name(a.allocateFrom(name));
    }

    /** The SECCOMP_FILTER_FLAG_* bits of {@code flags}; names for listings go to {@code names}. */
    private static long flags(List<String> flags, List<String> names) throws PlanException {
        long bits = 0;
        for (int i = 0; i < flags.size(); i++) {
            String f = flags.get(i);
            String field = "linux.seccomp.flags[" + i + "]";
            FilterFlag flag;
            try {
                flag = FilterFlag.valueOf(f);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new PlanException(field, "unknown seccomp flag (one of " + String.join(", ", KNOWN_FLAGS) + ")");
            }
            if (flag.unsupported != null) {
                throw new PlanException(field, f + " " + flag.unsupported);
            }
            if ((bits & flag.value) == 0) {
                names.add(f);
            }
            bits |= flag.value;
        }
        return bits;
    }

    /**
     * Compiles {@code s}. Errors name the field: an unknown action, operator, architecture or
     * flag, an errnoRet on an action without one, SCMP_ACT_NOTIFY or a listenerPath (no seccomp
     * agent support), a rule libseccomp refuses, a filter over the kernel's size limit.
     */
    public static Filter compile(LinuxSeccomp s) throws PlanException {
        Cached c = last;
        if (c != null && c.config.equals(s)) {
            return c.filter;
        }
        SeccompCache d = disk;
        Filter f = d == null ? null : d.load(s);
        boolean compiled = f == null;
        if (compiled) {
            f = compileUncached(s);
        }
        last = new Cached(s, f, compiled);
        return f;
    }

    /**
     * Reads compiled filters from {@code cache} from now on, and lets {@link #keepLast} write
     * them there, for the next calls of the runtime (the command line's lifecycle does); null:
     * compiled filters stay in this process.
     */
    public static void keepCompiled(SeccompCache cache) {
        disk = cache;
    }

    /**
     * Writes the filter compiled last to the disk cache, when there is one and the filter did not
     * come from it: called once a container was made with it, so a config refused later in create
     * leaves no entry.
     */
    public static void keepLast() {
        Cached c = last;
        SeccompCache d = disk;
        if (c != null && c.compiled && d != null && d.store(c.config, c.filter)) {
            last = new Cached(c.config, c.filter, false);
        }
    }

    /**
     * Forgets the filter this process compiled last, so that the next compile reads the disk
     * cache as a new process would (the AOT training run trains that path this way).
     */
    public static void forgetLast() {
        last = null;
    }

    private static Filter compileUncached(LinuxSeccomp s) throws PlanException {
        if (s.listenerPath() != null) {
            throw new PlanException("linux.seccomp.listenerPath", "not supported: isthmus has no seccomp agent support"
                    + " (SCMP_ACT_NOTIFY); remove it");
        }
        if (!available()) {
            throw new PlanException("linux.seccomp", Lib.problem);
        }
        if (s.defaultAction() == null) {
            throw new PlanException("linux.seccomp.defaultAction", "required");
        }
        int defaultAction = action(s.defaultAction(), s.defaultErrnoRet(), "linux.seccomp.defaultAction",
                "linux.seccomp.defaultErrnoRet");
        List<String> flagNames = new ArrayList<>();
        long flagBits = flags(s.flags(), flagNames);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = dev.isthmus.ffm.seccomp.Seccomp.seccomp_init(defaultAction);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new PlanException("linux.seccomp.defaultAction", "libseccomp refused it (seccomp_init)");
            }
            try {
                for (int i = 0; i < s.architectures().size(); i++) {
                    String name = s.architectures().get(i);
                    String field = "linux.seccomp.architectures[" + i + "]";
                    int token = name == null ? 0 : archToken(a, name);
                    if (token == 0) {
                        throw new PlanException(field, "unknown to libseccomp " + libraryVersion() + " (one of "
                                + String.join(", ", architectures()) + ")");
                    }
                    int rc = dev.isthmus.ffm.seccomp.Seccomp.seccomp_arch_add(ctx, token);
                    if (rc < 0 && rc != -Errno.EEXIST.number()) { // the native architecture is always there
                        throw new PlanException(field, "libseccomp refused it: " + Errno.describe(-rc));
                    }
                }
                int rules = 0;
                List<String> unknown = new ArrayList<>();
                for (int i = 0; i < s.syscalls().size(); i++) {
                    LinuxSeccomp.Syscall sc = s.syscalls().get(i);
                    String at = "linux.seccomp.syscalls[" + i + "]";
                    if (sc.names().isEmpty()) {
                        throw new PlanException(at + ".names", "at least one syscall name is required");
                    }
                    if (sc.action() == null) {
                        throw new PlanException(at + ".action", "required");
                    }
                    int action = action(sc.action(), sc.errnoRet(), at + ".action", at + ".errnoRet");
                    MemorySegment cmp = scmp_arg_cmp.allocateArray(Math.max(1, sc.args().size()), a);
                    for (int j = 0; j < sc.args().size(); j++) {
                        LinuxSeccomp.Arg arg = sc.args().get(j);
                        String aat = at + ".args[" + j + "]";
                        if (arg.index() < 0 || arg.index() > 5) {
                            throw new PlanException(aat + ".index", "a syscall has at most 6 arguments (index 0 to 5)");
                        }
                        MemorySegment e = scmp_arg_cmp.asSlice(cmp, j);
                        scmp_arg_cmp.arg(e, (int) arg.index());
                        scmp_arg_cmp.op(e, operator(arg.op(), aat + ".op"));
                        // For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the value compared
                        // with the masked argument (libseccomp's datum_a and datum_b).
                        scmp_arg_cmp.datum_a(e, arg.value());
                        scmp_arg_cmp.datum_b(e, arg.valueTwo() == null ? 0 : arg.valueTwo());
                    }
                    if (action == defaultAction) {
                        // libseccomp refuses a rule whose action is the default one (EACCES); the
                        // filter without it behaves the same.
                        continue;
                    }
                    for (int j = 0; j < sc.names().size(); j++) {
                        String name = sc.names().get(j);
                        String nat = at + ".names[" + j + "]";
                        if (name == null || name.isEmpty()) {
                            throw new PlanException(nat, "must be a syscall name");
                        }
                        int nr = dev.isthmus.ffm.seccomp.Seccomp.seccomp_syscall_resolve_name(a.allocateFrom(name));
                        if (nr == dev.isthmus.ffm.seccomp.Seccomp.__NR_SCMP_ERROR()) {
                            unknown.add(nat + " (" + name + ")");
                            continue;
                        }
                        int rc = dev.isthmus.ffm.seccomp.Seccomp.seccomp_rule_add_array(ctx, action, nr, sc.args().size(), cmp);
                        if (rc < 0) {
                            throw new PlanException(at, "libseccomp refused the rule for " + name + ": " + Errno.describe(-rc)
                                    + (sc.args().size() > 1 ? " (two comparisons of one argument in a rule are refused)" : ""));
                        }
                        rules++;
                    }
                }
                byte[] bpf = export(ctx);
                if (bpf.length == 0 || bpf.length % 8 != 0) {
                    throw new PlanException("linux.seccomp", "libseccomp exported " + bpf.length + " bytes, not a BPF program");
                }
                if (bpf.length / 8 > MAX_INSTRUCTIONS) {
                    throw new PlanException("linux.seccomp", "the filter has " + bpf.length / 8 + " instructions; the kernel takes at most "
                            + MAX_INSTRUCTIONS);
                }
                return new Filter(bpf, flagBits, flagNames.isEmpty() ? "0" : String.join("|", flagNames), rules, unknown);
            } finally {
                dev.isthmus.ffm.seccomp.Seccomp.seccomp_release(ctx);
            }
        }
    }

    /**
     * seccomp_export_bpf into a memfd, read back through /proc/self/fd (a fresh offset). The memfd
     * is made through the one syscall shape (Libc), as Memfd's are: jextract's memfd_create
     * linked two more downcall shapes.
     */
    private static byte[] export(MemorySegment ctx) throws PlanException {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            long r = Libc.syscall(Syscall.MEMFD_CREATE, a.allocateFrom("isthmus-seccomp").address(), Linux.MFD_CLOEXEC(), 0);
            if (r < 0) {
                throw new SysException("memfd_create", (int) -r);
            }
            fd = (int) r;
        }
        try {
            int rc = dev.isthmus.ffm.seccomp.Seccomp.seccomp_export_bpf(ctx, fd);
            if (rc < 0) {
                throw new PlanException("linux.seccomp", "libseccomp could not export the filter: " + Errno.describe(-rc));
            }
            return Files.readAllBytes(Path.of("/proc/self/fd/" + fd));
        } catch (IOException e) {
            throw new PlanException("linux.seccomp", "cannot read the exported filter back: " + e.getMessage());
        } finally {
            Libc.close(fd);
        }
    }

    /** What {@code features} says about seccomp. */
    public record Support(boolean enabled, List<String> actions, List<String> operators, List<String> archs,
            List<String> knownFlags, List<String> supportedFlags) {}

    /**
     * Seccomp support on this host: enabled when libseccomp loads; supportedFlags are the known
     * flags isthmus applies and this kernel accepts (probed with seccomp(2), see {@link #kernelAccepts}).
     */
    public static Support support() {
        if (!available()) {
            return new Support(false, List.of(), List.of(), List.of(), KNOWN_FLAGS, List.of());
        }
        List<String> supported = new ArrayList<>();
        for (FilterFlag f : FilterFlag.values()) {
            if (f.unsupported == null && kernelAccepts(f.value)) {
                supported.add(f.name());
            }
        }
        return new Support(true, ACTIONS, OPERATORS, architectures(), KNOWN_FLAGS, supported);
    }

    /**
     * Whether this kernel knows filter flag {@code flag}: seccomp(SECCOMP_SET_MODE_FILTER, flag,
     * NULL) fails with EINVAL for an unknown flag and EFAULT (the NULL program) for a known one,
     * before anything is installed (seccomp(2), ERRORS).
     */
    static boolean kernelAccepts(long flag) {
        return Libc.syscall(Syscall.SECCOMP, Linux.SECCOMP_SET_MODE_FILTER(), flag, 0) == -Errno.EFAULT.number();
    }

    /** For listings: "{len=N, filter=<default SCMP_ACT_ERRNO(1), 12 rules, 2 unknown names skipped>}". */
    public static String describe(LinuxSeccomp s, Filter f) {
        StringBuilder sb = new StringBuilder("{len=").append(f.instructions()).append(", filter=<default ").append(s.defaultAction());
        if (s.defaultErrnoRet() != null) {
            sb.append('(').append(s.defaultErrnoRet()).append(')');
        }
        sb.append(", ").append(f.rules()).append(f.rules() == 1 ? " rule" : " rules");
        if (!f.unknownNames().isEmpty()) {
            sb.append(", ").append(f.unknownNames().size()).append(" unknown syscall name").append(f.unknownNames().size() == 1 ? "" : "s")
                    .append(" skipped");
        }
        return sb.append(">}").toString();
    }
}
