package dev.isthmus.spec;

/** The namespace types of config-linux.md, by their spec names. */
public enum NamespaceType {
    PID("pid"), NETWORK("network"), MOUNT("mount"), IPC("ipc"), UTS("uts"), USER("user"), CGROUP("cgroup"), TIME("time");

    private final String specName;

    NamespaceType(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    /** The type spelled {@code name} in config.json, or null. */
    public static NamespaceType fromSpecName(String name) {
        for (NamespaceType t : values()) {
            if (t.specName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
