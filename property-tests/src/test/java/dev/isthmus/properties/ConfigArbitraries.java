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
        return Combinators.combine(uint32(), uint32(), maybe(Arbitraries.integers().between(0, 0777)),
                uint32().list().ofMaxSize(4), maybe(text()))
                .as(User::new);
    }

    static Arbitrary<Process> process() {
        Arbitrary<Capabilities> capabilities = maybe(Combinators.combine(caps(), caps(), caps(), caps(), caps())
                .as(Capabilities::new));
        Arbitrary<IoPriority> io = maybe(Combinators.combine(
                Arbitraries.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"),
                Arbitraries.integers().between(0, 7)).as(IoPriority::new));
        return Combinators.combine(Arbitraries.of(true, false), maybe(user()), nonEmpty().list().ofMinSize(1)
                                .ofMaxSize(4), text().list().ofMaxSize(6), absPath(), capabilities, rlimits(),
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
        return Combinators.combine(absPath(), text().list().ofMaxSize(3), text().list().ofMaxSize(3),
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
                maybe(Arbitraries.integers().between(0, 07777)), maybe(uint32()), maybe(uint32()))
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

    static Arbitrary<Config> configs() {
        return Combinators.combine(Arbitraries.of("1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.2.1", "1.3.0"),
                        maybe(process()), Combinators.combine(nonEmpty(), Arbitraries.of(true, false)).as(Root::new),
                        maybe(text()), maybe(text()), mount().list().ofMaxSize(4), hooks(), stringMap())
                .flatAs((v, p, root, host, domain, mounts, hooks, annotations) -> linux()
                        .map(l -> new Config(v, p, root, host, domain, mounts, hooks, annotations, l)));
    }
}
