package dev.isthmus.properties;

import dev.isthmus.spec.Capabilities;
import dev.isthmus.spec.CapabilityNames;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.Hook;
import dev.isthmus.spec.Hooks;
import dev.isthmus.spec.IdMapping;
import dev.isthmus.spec.IoPriority;
import dev.isthmus.spec.Linux;
import dev.isthmus.spec.LinuxDevice;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.LinuxResources;
import dev.isthmus.spec.LinuxSeccomp;
import dev.isthmus.spec.Mount;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.spec.Process;
import dev.isthmus.spec.Rlimit;
import dev.isthmus.spec.RlimitNames;
import dev.isthmus.spec.Root;
import dev.isthmus.spec.TimeOffset;
import dev.isthmus.spec.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of configs that satisfy every rule of ConfigValidator. */
final class ConfigArbitraries {
    private ConfigArbitraries() {}

    /** Printable ASCII plus the characters JSON must escape and some non-ASCII. */
    static Arbitrary<String> text() {
        Arbitrary<String> bmp = Arbitraries.strings().withCharRange(' ', '~')
                .withChars('\n', '\t', '"', '\\', '\u0001', '\u00e9', '\u2603').ofMaxLength(16);
        return Arbitraries.oneOf(bmp, bmp, bmp.map(s -> s + "\uD834\uDD1E")); // and a supplementary character
    }

    static Arbitrary<String> nonEmpty() {
        return text().filter(s -> !s.isEmpty());
    }

    static Arbitrary<String> absPath() {
        return Arbitraries.strings().alpha().numeric().withChars('/', '.', '-', '_').ofMaxLength(20).map(s -> "/" + s);
    }

    static Arbitrary<Long> uint32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    /** A uid or gid: a uint32 other than 4294967295, (uid_t)-1, which setresuid reads as "leave unchanged". */
    static Arbitrary<Long> id() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFEL);
    }

    /** An environment entry: NAME=value (the value may hold '=' and anything but NUL). */
    static Arbitrary<String> envEntry() {
        return Combinators.combine(Arbitraries.strings().alpha().withChars('_').ofMinLength(1).ofMaxLength(8), text())
                .as((name, value) -> name + "=" + value);
    }

    static Arbitrary<Long> uint64() {
        return Arbitraries.longs(); // the bits of a uint64
    }

    static <T> Arbitrary<T> maybe(Arbitrary<T> a) {
        return a.injectNull(0.3);
    }

    static Arbitrary<List<String>> caps() {
        return Arbitraries.of(CapabilityNames.all()).list().ofMaxSize(6);
    }

    /** Zero to three mappings laid end to end, so they never overlap. */
    static Arbitrary<List<IdMapping>> idMappings() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.longs().between(0, 1 << 20),
                Arbitraries.longs().between(0, 1 << 20), Arbitraries.longs().between(1, 70000))
                .as((n, c, h, size) -> {
                    List<IdMapping> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(new IdMapping(c + i * size, h + i * size, size));
                    }
                    return out;
                });
    }

    static Arbitrary<Rlimit> rlimit(String type) {
        return Combinators.combine(uint64(), uint64()).as((a, b) -> Long.compareUnsigned(a, b) <= 0
                ? new Rlimit(type, b, a) : new Rlimit(type, a, b));
    }

    static Arbitrary<List<Rlimit>> rlimits() {
        return Arbitraries.of(RlimitNames.all()).set().ofMaxSize(4)
                .flatMap(types -> Combinators.combine(types.stream().map(ConfigArbitraries::rlimit).toList())
                        .as(list -> list));
    }

    static Arbitrary<User> user() {
        return Combinators.combine(id(), id(), maybe(Arbitraries.integers().between(0, 0777)),
                id().list().ofMaxSize(4), maybe(text()))
                .as(User::new);
    }

    static Arbitrary<Process> process() {
        Arbitrary<Capabilities> capabilities = maybe(Combinators.combine(caps(), caps(), caps(), caps(), caps())
                .as(Capabilities::new));
        Arbitrary<IoPriority> io = maybe(Combinators.combine(
                Arbitraries.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"),
                Arbitraries.integers().between(0, 7)).as(IoPriority::new));
        return Combinators.combine(Arbitraries.of(true, false), maybe(user()), nonEmpty().list().ofMinSize(1)
                                .ofMaxSize(4), envEntry().list().ofMaxSize(6), absPath(), capabilities, rlimits(),
                        Arbitraries.of(true, false))
                .flatAs((terminal, user, args, env, cwd, caps, rlimits, nnp) -> Combinators.combine(
                                maybe(text()), maybe(Arbitraries.integers().between(-1000, 1000)), maybe(text()), io)
                        .as((apparmor, oom, selinux, ioPrio) -> new Process(terminal, null, user, args, null, env,
                                cwd, caps, rlimits, nnp, apparmor, oom, selinux, ioPrio, null, null)));
    }

    static Arbitrary<Mount> mount() {
        return Combinators.combine(absPath(), maybe(text()), maybe(Arbitraries.of("bind", "tmpfs", "proc", "none")),
                        text().list().ofMaxSize(4), idMappings(), idMappings())
                .as(Mount::new);
    }

    static Arbitrary<Hook> hook() {
        return Combinators.combine(absPath(), text().list().ofMaxSize(3), envEntry().list().ofMaxSize(3),
                maybe(Arbitraries.integers().between(1, 3600))).as(Hook::new);
    }

    static Arbitrary<Hooks> hooks() {
        Arbitrary<List<Hook>> list = hook().list().ofMaxSize(2);
        return maybe(Combinators.combine(list, list, list, list, list, list).as(Hooks::new));
    }

    static Arbitrary<Map<String, String>> stringMap() {
        return Arbitraries.maps(nonEmpty(), text()).ofMaxSize(4);
    }

    static Arbitrary<LinuxSeccomp> seccomp() {
        Arbitrary<String> action = Arbitraries.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_LOG");
        Arbitrary<LinuxSeccomp.Arg> arg = Combinators.combine(Arbitraries.longs().between(0, 5), uint64(),
                maybe(uint64()), Arbitraries.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ"))
                .as(LinuxSeccomp.Arg::new);
        Arbitrary<LinuxSeccomp.Syscall> syscall = Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).list().ofMinSize(1).ofMaxSize(4), action,
                maybe(Arbitraries.longs().between(0, 133)), arg.list().ofMaxSize(2)).as(LinuxSeccomp.Syscall::new);
        return maybe(Combinators.combine(action, maybe(Arbitraries.longs().between(0, 133)),
                Arbitraries.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64").list().ofMaxSize(2),
                Arbitraries.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW").list().ofMaxSize(1),
                syscall.list().ofMaxSize(3))
                .as((a, e, arches, flags, calls) -> new LinuxSeccomp(a, e, arches, flags, null, null, calls)));
    }

    static Arbitrary<LinuxResources> resources() {
        Arbitrary<LinuxResources.DeviceCgroup> dev = Combinators.combine(Arbitraries.of(true, false),
                maybe(Arbitraries.of("a", "b", "c")), maybe(Arbitraries.longs().between(-1, 300)),
                maybe(Arbitraries.longs().between(-1, 300)), maybe(Arbitraries.of("r", "rw", "rwm", "m")))
                .as(LinuxResources.DeviceCgroup::new);
        Arbitrary<LinuxResources.Memory> mem = maybe(Combinators.combine(maybe(Arbitraries.longs()),
                maybe(Arbitraries.longs()), maybe(Arbitraries.longs().between(-1, Long.MAX_VALUE)),
                maybe(Arbitraries.of(true, false))).as((l, r, s, d) ->
                new LinuxResources.Memory(l, r, s, null, null, null, d, null, null)));
        Arbitrary<LinuxResources.Cpu> cpu = maybe(Combinators.combine(maybe(uint64()), maybe(Arbitraries.longs()),
                maybe(uint64()), maybe(Arbitraries.of("0", "0-3", "0-3,7", "")))
                .as((sh, q, p, cpus) -> new LinuxResources.Cpu(sh, q, null, p, null, null, cpus, null, null)));
        Arbitrary<LinuxResources.Pids> pids = maybe(maybe(Arbitraries.longs().between(-1, 1 << 22))
                .map(LinuxResources.Pids::new));
        return maybe(Combinators.combine(dev.list().ofMaxSize(3), mem, cpu, pids, stringMap())
                .as((d, m, c, p, unified) -> new LinuxResources(d, m, c, p, null, List.of(), null, Map.of(),
                        unified)));
    }

    static Arbitrary<Linux> linux() {
        Arbitrary<List<LinuxNamespace>> namespaces = Arbitraries.of(NamespaceType.class).set().ofMaxSize(8)
                .flatMap(types -> Combinators.combine(types.stream()
                                .map(t -> maybe(absPath()).map(p -> new LinuxNamespace(t, p))).toList())
                        .as(list -> list));
        Arbitrary<LinuxDevice> device = Combinators.combine(absPath(), Arbitraries.of("c", "b", "u", "p"),
                Arbitraries.longs().between(0, 4095), Arbitraries.longs().between(0, 1 << 20),
                maybe(Arbitraries.integers().between(0, 07777)), maybe(id()), maybe(id()))
                .as((path, type, major, minor, mode, uid, gid) -> type.equals("p")
                        ? new LinuxDevice(path, type, 0, 0, mode, uid, gid)
                        : new LinuxDevice(path, type, major, minor, mode, uid, gid));
        return maybe(Combinators.combine(namespaces, idMappings(), idMappings(), device.list().ofMaxSize(3),
                        maybe(text()), resources(), stringMap(), seccomp())
                .flatAs((ns, uids, gids, devices, cgroupsPath, res, sysctl, seccomp) -> Combinators.combine(
                                maybe(Arbitraries.of("private", "rslave", "shared", "unbindable")),
                                absPath().list().ofMaxSize(4), absPath().list().ofMaxSize(4), maybe(text()),
                                Combinators.combine(maybe(Arbitraries.longs()),
                                        maybe(Arbitraries.longs().between(0, 999_999_999))).as(TimeOffset::new))
                        .as((prop, masked, readonly, label, offset) -> {
                            List<LinuxNamespace> all = new ArrayList<>(ns);
                            boolean hasUser = all.stream().anyMatch(n -> n.type() == NamespaceType.USER);
                            if (!hasUser && (!uids.isEmpty() || !gids.isEmpty())) {
                                all.add(new LinuxNamespace(NamespaceType.USER, null));
                            }
                            boolean hasTime = all.stream().anyMatch(n -> n.type() == NamespaceType.TIME);
                            Map<String, TimeOffset> offsets = hasTime ? Map.of("monotonic", offset) : Map.of();
                            return new Linux(all, uids, gids, devices, cgroupsPath, res, sysctl, seccomp, prop,
                                    masked, readonly, label, null, null, offsets);
                        })));
    }

    /** A config with one value the validator must refuse, and the JSON path its error must name. */
    record Poisoned(Config config, String path, String what) {
        @Override
        public String toString() {
            return what + " at " + path;
        }
    }

    /** Marks the bad strings, so that a test can check the value is never echoed in the error. */
    static final String MARKER = "s3cr3t-VALUE";

    /**
     * Valid configs with exactly one of issue #20's bad values put in: an id of (uid_t)-1, a NUL in
     * a string that reaches a system call, an environment entry without '='.
     */
    static Arbitrary<Poisoned> poisoned() {
        Arbitrary<Config> base = configs().filter(c -> c.process() != null);
        return Combinators.combine(base, Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 1000))
                .as(ConfigArbitraries::poison);
    }

    private static Poisoned poison(Config c, int kind, int pick) {
        Process p = c.process();
        User u = p.user() != null ? p.user() : new User(0, 0, null, List.of(), null);
        String nul = "/bin/true\u0000/../" + MARKER;
        return switch (kind) {
            case 0 -> new Poisoned(with(c, p, new User(0xFFFF_FFFFL, u.gid(), u.umask(), u.additionalGids(), u.username())),
                    "process.user.uid", "uid 4294967295");
            case 1 -> new Poisoned(with(c, p, new User(u.uid(), 0xFFFF_FFFFL, u.umask(), u.additionalGids(), u.username())),
                    "process.user.gid", "gid 4294967295");
            case 2 -> {
                List<Long> gids = new ArrayList<>(u.additionalGids());
                gids.add(pick % (gids.size() + 1), 0xFFFF_FFFFL);
                yield new Poisoned(with(c, p, new User(u.uid(), u.gid(), u.umask(), gids, u.username())),
                        "process.user.additionalGids[" + gids.indexOf(0xFFFF_FFFFL) + "]", "additional gid 4294967295");
            }
            case 3 -> {
                List<String> args = new ArrayList<>(p.args());
                int i = pick % args.size();
                args.set(i, nul);
                yield new Poisoned(with(c, new Process(p.terminal(), p.consoleSize(), p.user(), args, p.commandLine(), p.env(),
                        p.cwd(), p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                        p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCPUAffinity()), p.user()),
                        "process.args[" + i + "]", "NUL in an argument");
            }
            case 4, 5 -> {
                List<String> env = new ArrayList<>(p.env());
                int i = pick % (env.size() + 1);
                env.add(i, kind == 4 ? "NO_EQUALS_" + MARKER : "A=" + nul);
                yield new Poisoned(with(c, new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), env,
                        p.cwd(), p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                        p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCPUAffinity()), p.user()),
                        "process.env[" + i + "]", kind == 4 ? "env entry without '='" : "NUL in an env entry");
            }
            case 6 -> new Poisoned(with(c, new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(),
                    nul, p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                    p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCPUAffinity()), p.user()), "process.cwd", "NUL in cwd");
            case 7 -> new Poisoned(new Config(c.ociVersion(), p, c.root(), nul, c.domainname(), c.mounts(), c.hooks(),
                    c.annotations(), c.linux()), "hostname", "NUL in hostname");
            case 8 -> new Poisoned(new Config(c.ociVersion(), p, new Root(nul, c.root().readonly()), c.hostname(), c.domainname(),
                    c.mounts(), c.hooks(), c.annotations(), c.linux()), "root.path", "NUL in root.path");
            case 9 -> {
                List<Mount> mounts = new ArrayList<>(c.mounts());
                mounts.add(new Mount("/mnt", nul, "bind", List.of("rbind"), List.of(), List.of()));
                yield new Poisoned(new Config(c.ociVersion(), p, c.root(), c.hostname(), c.domainname(), mounts, c.hooks(),
                        c.annotations(), c.linux()), "mounts[" + (mounts.size() - 1) + "].source", "NUL in a mount source");
            }
            default -> {
                Hooks h = c.hooks() != null ? c.hooks() : new Hooks(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
                List<Hook> poststop = new ArrayList<>(h.poststop());
                poststop.add(new Hook("/bin/hook", List.of("hook"), List.of("NO_EQUALS_" + MARKER), null));
                yield new Poisoned(new Config(c.ociVersion(), p, c.root(), c.hostname(), c.domainname(), c.mounts(),
                        new Hooks(h.prestart(), h.createRuntime(), h.createContainer(), h.startContainer(), h.poststart(), poststop),
                        c.annotations(), c.linux()), "hooks.poststop[" + (poststop.size() - 1) + "].env[0]", "hook env entry without '='");
            }
        };
    }

    private static Config with(Config c, Process p, User u) {
        Process q = new Process(p.terminal(), p.consoleSize(), u, p.args(), p.commandLine(), p.env(), p.cwd(), p.capabilities(),
                p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel(), p.ioPriority(),
                p.scheduler(), p.execCPUAffinity());
        return new Config(c.ociVersion(), q, c.root(), c.hostname(), c.domainname(), c.mounts(), c.hooks(), c.annotations(),
                c.linux());
    }

    static Arbitrary<Config> configs() {
        return Combinators.combine(Arbitraries.of("1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.2.1", "1.3.0"),
                        maybe(process()), Combinators.combine(nonEmpty(), Arbitraries.of(true, false)).as(Root::new),
                        maybe(text()), maybe(text()), mount().list().ofMaxSize(4), hooks(), stringMap())
                .flatAs((v, p, root, host, domain, mounts, hooks, annotations) -> linux()
                        .map(l -> new Config(v, p, root, host, domain, mounts, hooks, annotations, l)));
    }
}
