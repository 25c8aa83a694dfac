package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/** config.json (runtime-spec config.md). Absent objects are null, absent lists and maps empty. */
public record Config(String ociVersion, Process process, Root root, String hostname, String domainname, List<Mount> mounts,
        Hooks hooks, Map<String, String> annotations, Linux linux) {

    /** The runtime-spec version this runtime implements. */
    public static final String SPEC_VERSION = "1.2.1";

    public Config {
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }
}
