package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/**
 * {@code linux}: the Linux-specific part of the config. {@code netDevices} and {@code memoryPolicy}
 * (runtime-spec 1.3) come after the components every planner reads.
 */
public record Linux(
        List<LinuxNamespace> namespaces,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        List<LinuxDevice> devices,
        String cgroupsPath,
        LinuxResources resources,
        Map<String, String> sysctl,
        LinuxSeccomp seccomp,
        String rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        LinuxPersonality personality,
        IntelRdt intelRdt,
        Map<String, TimeOffset> timeOffsets,
        Map<String, LinuxNetDevice> netDevices,
        LinuxMemoryPolicy memoryPolicy) {
    public Linux {
        namespaces = Copies.list(namespaces);
        uidMappings = Copies.list(uidMappings);
        gidMappings = Copies.list(gidMappings);
        devices = Copies.list(devices);
        sysctl = Copies.map(sysctl);
        maskedPaths = Copies.list(maskedPaths);
        readonlyPaths = Copies.list(readonlyPaths);
        timeOffsets = Copies.map(timeOffsets);
        netDevices = Copies.map(netDevices);
    }

    /** The pre-1.3 shape, for callers that build a config by hand. */
    public Linux(
            List<LinuxNamespace> namespaces,
            List<IdMapping> uidMappings,
            List<IdMapping> gidMappings,
            List<LinuxDevice> devices,
            String cgroupsPath,
            LinuxResources resources,
            Map<String, String> sysctl,
            LinuxSeccomp seccomp,
            String rootfsPropagation,
            List<String> maskedPaths,
            List<String> readonlyPaths,
            String mountLabel,
            LinuxPersonality personality,
            IntelRdt intelRdt,
            Map<String, TimeOffset> timeOffsets) {
        this(namespaces, uidMappings, gidMappings, devices, cgroupsPath, resources, sysctl, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, intelRdt, timeOffsets,
                Map.of(), null);
    }

    /** The namespace entry of that type, or null. */
    public LinuxNamespace namespace(NamespaceType type) {
        for (LinuxNamespace ns : namespaces) {
            if (ns.type() == type) {
                return ns;
            }
        }
        return null;
    }
}
