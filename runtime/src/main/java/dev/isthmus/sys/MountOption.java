package dev.isthmus.sys;

import java.util.HashMap;
import java.util.Map;

/**
 * The mount options of config.json that are mount(2) flags, as in mount(8); any other option is
 * passed to the filesystem as data. A table, not an if-ladder.
 */
public enum MountOption {
    RO("ro", K.MS_RDONLY, Kind.SET), RW("rw", K.MS_RDONLY, Kind.CLEAR),
    NOSUID("nosuid", K.MS_NOSUID, Kind.SET), SUID("suid", K.MS_NOSUID, Kind.CLEAR),
    NODEV("nodev", K.MS_NODEV, Kind.SET), DEV("dev", K.MS_NODEV, Kind.CLEAR),
    NOEXEC("noexec", K.MS_NOEXEC, Kind.SET), EXEC("exec", K.MS_NOEXEC, Kind.CLEAR),
    SYNC("sync", K.MS_SYNCHRONOUS, Kind.SET), ASYNC("async", K.MS_SYNCHRONOUS, Kind.CLEAR),
    DIRSYNC("dirsync", K.MS_DIRSYNC, Kind.SET),
    REMOUNT("remount", K.MS_REMOUNT, Kind.SET),
    MAND("mand", K.MS_MANDLOCK, Kind.SET), NOMAND("nomand", K.MS_MANDLOCK, Kind.CLEAR),
    NOATIME("noatime", K.MS_NOATIME, Kind.SET), ATIME("atime", K.MS_NOATIME, Kind.CLEAR),
    NODIRATIME("nodiratime", K.MS_NODIRATIME, Kind.SET), DIRATIME("diratime", K.MS_NODIRATIME, Kind.CLEAR),
    RELATIME("relatime", K.MS_RELATIME, Kind.SET), NORELATIME("norelatime", K.MS_RELATIME, Kind.CLEAR),
    STRICTATIME("strictatime", K.MS_STRICTATIME, Kind.SET), NOSTRICTATIME("nostrictatime", K.MS_STRICTATIME, Kind.CLEAR),
    SILENT("silent", K.MS_SILENT, Kind.SET), LOUD("loud", K.MS_SILENT, Kind.CLEAR),
    BIND("bind", K.MS_BIND, Kind.SET), RBIND("rbind", K.MS_BIND | K.MS_REC, Kind.SET),
    PRIVATE("private", K.MS_PRIVATE, Kind.PROPAGATION), RPRIVATE("rprivate", K.MS_PRIVATE | K.MS_REC, Kind.PROPAGATION),
    SHARED("shared", K.MS_SHARED, Kind.PROPAGATION), RSHARED("rshared", K.MS_SHARED | K.MS_REC, Kind.PROPAGATION),
    SLAVE("slave", K.MS_SLAVE, Kind.PROPAGATION), RSLAVE("rslave", K.MS_SLAVE | K.MS_REC, Kind.PROPAGATION),
    UNBINDABLE("unbindable", K.MS_UNBINDABLE, Kind.PROPAGATION),
    RUNBINDABLE("runbindable", K.MS_UNBINDABLE | K.MS_REC, Kind.PROPAGATION);

    /** How an option acts on the flags. */
    public enum Kind { SET, CLEAR, PROPAGATION }

    private final String spelling;
    private final long flags;
    private final Kind kind;

    private static final Map<String, MountOption> BY_NAME = new HashMap<>();

    static {
        for (MountOption o : values()) {
            BY_NAME.put(o.spelling, o);
        }
    }

    MountOption(String spelling, long flags, Kind kind) {
        this.spelling = spelling;
        this.flags = flags;
        this.kind = kind;
    }

    public String spelling() {
        return spelling;
    }

    public long flags() {
        return flags;
    }

    public Kind kind() {
        return kind;
    }

    /** The option spelled {@code s}, or null when it is filesystem data. */
    public static MountOption of(String s) {
        return BY_NAME.get(s);
    }

    /** MS_* names of {@code flags}, joined with '|', for listings ("0" when none). */
    public static String flagNames(long flags) {
        StringBuilder sb = new StringBuilder();
        long rest = flags;
        for (MountFlagName n : MountFlagName.values()) {
            if ((rest & n.bit) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(n.name());
                rest &= ~n.bit;
            }
        }
        if (rest != 0) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append("0x").append(Long.toHexString(rest));
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }

    private enum MountFlagName {
        MS_RDONLY(K.MS_RDONLY), MS_NOSUID(K.MS_NOSUID), MS_NODEV(K.MS_NODEV), MS_NOEXEC(K.MS_NOEXEC),
        MS_SYNCHRONOUS(K.MS_SYNCHRONOUS), MS_REMOUNT(K.MS_REMOUNT), MS_MANDLOCK(K.MS_MANDLOCK),
        MS_DIRSYNC(K.MS_DIRSYNC), MS_NOATIME(K.MS_NOATIME), MS_NODIRATIME(K.MS_NODIRATIME),
        MS_BIND(K.MS_BIND), MS_MOVE(K.MS_MOVE), MS_REC(K.MS_REC), MS_SILENT(K.MS_SILENT),
        MS_UNBINDABLE(K.MS_UNBINDABLE), MS_PRIVATE(K.MS_PRIVATE), MS_SLAVE(K.MS_SLAVE), MS_SHARED(K.MS_SHARED),
        MS_RELATIME(K.MS_RELATIME), MS_STRICTATIME(K.MS_STRICTATIME);

        final long bit;

        MountFlagName(long bit) {
            this.bit = bit;
        }
    }
}
