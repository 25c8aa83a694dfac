package dev.isthmus.spec;

/** Namespace types by their spec names. Kernel CLONE_* constants live in the sys package. */
public enum NamespaceType {
    PID("pid"),
    NETWORK("network"),
    MOUNT("mount"),
    IPC("ipc"),
    UTS("uts"),
    USER("user"),
    CGROUP("cgroup"),
    TIME("time");

    private static final NamespaceType[] VALUES = values();
    private final String specName;

    NamespaceType(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    /** The type for a spec name such as {@code "network"}; throws IllegalArgumentException if unknown. */
    public static NamespaceType fromSpecName(String name) {
        for (NamespaceType t : VALUES) {
            if (t.specName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown namespace type");
    }

    static NamespaceType lookup(String name) {
        for (NamespaceType t : VALUES) {
            if (t.specName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
