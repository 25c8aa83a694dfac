package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/**
 * The runtime's {@code features} document (features.md, features-linux.md). Null objects and Booleans are left
 * out when written; lists are written when not empty.
 */
public record Features(
        String ociVersionMin,
        String ociVersionMax,
        List<String> hooks,
        List<String> mountOptions,
        Linux linux,
        Map<String, String> annotations,
        List<String> potentiallyUnsafeConfigAnnotations) {
    public Features {
        hooks = Copies.list(hooks);
        mountOptions = Copies.list(mountOptions);
        annotations = Copies.map(annotations);
        potentiallyUnsafeConfigAnnotations = Copies.list(potentiallyUnsafeConfigAnnotations);
    }

    /** {@code linux}. */
    public record Linux(
            List<String> namespaces,
            List<String> capabilities,
            Cgroup cgroup,
            Seccomp seccomp,
            Enabled apparmor,
            Enabled selinux,
            IntelRdt intelRdt,
            MemoryPolicy memoryPolicy,
            MountExtensions mountExtensions,
            Enabled netDevices) {
        public Linux {
            namespaces = Copies.list(namespaces);
            capabilities = Copies.list(capabilities);
        }
    }

    public record Cgroup(Boolean v1, Boolean v2, Boolean systemd, Boolean systemdUser, Boolean rdma) {}

    public record Seccomp(
            Boolean enabled,
            List<String> actions,
            List<String> operators,
            List<String> archs,
            List<String> knownFlags,
            List<String> supportedFlags) {
        public Seccomp {
            actions = Copies.list(actions);
            operators = Copies.list(operators);
            archs = Copies.list(archs);
            knownFlags = Copies.list(knownFlags);
            supportedFlags = Copies.list(supportedFlags);
        }
    }

    /** apparmor, selinux, netDevices and mountExtensions.idmap: just {@code enabled}. */
    public record Enabled(Boolean enabled) {}

    public record IntelRdt(Boolean enabled, Boolean schemata, Boolean monitoring) {}

    public record MemoryPolicy(List<String> modes, List<String> flags) {
        public MemoryPolicy {
            modes = Copies.list(modes);
            flags = Copies.list(flags);
        }
    }

    public record MountExtensions(Enabled idmap) {}
}
