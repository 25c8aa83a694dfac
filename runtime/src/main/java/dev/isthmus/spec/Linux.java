package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/**
 * config-linux.md. {@code resources}, {@code seccomp} and {@code intelRdt} are kept as plain JSON
 * values (maps, lists, strings, numbers, booleans) until their consumers exist.
 */
public record Linux(List<LinuxNamespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
        List<LinuxDevice> devices, String cgroupsPath, Map<String, Object> resources, Map<String, String> sysctl,
        Map<String, Object> seccomp, String rootfsPropagation, List<String> maskedPaths, List<String> readonlyPaths,
        String mountLabel, LinuxPersonality personality, Map<String, Object> intelRdt, Map<String, TimeOffset> timeOffsets) {
    public Linux {
        namespaces = List.copyOf(namespaces);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        devices = List.copyOf(devices);
        sysctl = Map.copyOf(sysctl);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        timeOffsets = Map.copyOf(timeOffsets);
    }
}
