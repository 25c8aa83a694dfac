package dev.isthmus.cli;

import dev.isthmus.spec.DefaultConfigs;
import dev.isthmus.spec.Features;
import dev.isthmus.spec.FeaturesWriter;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.sys.MountOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `isthmus features`: the runtime-spec features document (features.md). It lists what this
 * runtime applies today, not what it merely parses: the capabilities this kernel has, seccomp when
 * libseccomp loads; AppArmor and SELinux are reported disabled (labels are applied only where the
 * host has the LSM, and none is probed here). Cgroups v1 and v2 (and hybrid hosts) are applied;
 * the systemd driver (a transient unit asked of systemd over D-Bus) is not, though the
 * slice:prefix:name path form is understood (said in an annotation); device rules on v2 are an
 * eBPF program.
 */
final class FeaturesCommand implements Callable<Integer> {
    CommandSpec model() {
        Model m = Model.command("features", this, "Print the runtime-spec features document.");
        return m.spec();
    }

    /** Hooks run by create/start/delete (spec order). */
    static final List<String> HOOKS = List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");

    @Override
    public Integer call() throws Exception {
        List<String> namespaces = new ArrayList<>();
        for (NamespaceType t : NamespaceType.values()) {
            namespaces.add(t.specName());
        }
        List<String> options = new ArrayList<>();
        for (MountOption o : MountOption.values()) {
            options.add(o.spelling());
        }
        int lastCap = dev.isthmus.plan.Host.LIVE.lastCap();
        List<String> caps = dev.isthmus.spec.CapabilityNames.all().subList(0, Math.min(lastCap, dev.isthmus.spec.CapabilityNames.LAST) + 1);
        Features.Linux linux = new Features.Linux(namespaces, caps, new Features.Cgroup(true, true, false, false, true),
                seccompFeatures(), new Features.Enabled(false),
                new Features.Enabled(false), null, null, null, null);
        Features f = new Features("1.0.0", DefaultConfigs.OCI_VERSION, HOOKS, options, linux,
                Map.of("dev.isthmus.state-modes", "spec,bundle,exec", "dev.isthmus.launcher", "spawn-program+stub(x86_64)",
                        "dev.isthmus.cgroup.systemd-paths", "slice:prefix:name made in cgroupfs, no systemd unit",
                        "dev.isthmus.cgroup.v2-devices", "eBPF (BPF_PROG_TYPE_CGROUP_DEVICE)"), List.of());
        FeaturesWriter.write(f, System.out);
        System.out.println();
        return 0;
    }

    /** libseccomp compiles the filters: enabled when it loads; flags as this kernel takes them. */
    static Features.Seccomp seccompFeatures() {
        dev.isthmus.sys.Seccomp.Support s = dev.isthmus.sys.Seccomp.support();
        return new Features.Seccomp(s.enabled(), s.actions(), s.operators(), s.archs(), s.knownFlags(), s.supportedFlags());
    }
}
