package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/**
 * An OCI runtime configuration ({@code config.json}), runtime-spec 1.0 to 1.3, Linux platform.
 * Absent objects are null, absent lists {@code List.of()}, absent maps {@code Map.of()}.
 * Platform objects other than {@code linux} (windows, solaris, vm, zos, freebsd) are skipped on read.
 */
public record Config(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {
    public Config {
        mounts = Copies.list(mounts);
        annotations = Copies.map(annotations);
    }
}
