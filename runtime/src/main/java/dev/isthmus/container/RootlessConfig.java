package dev.isthmus.container;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxNamespace;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.sys.Rootless;
import dev.isthmus.sys.SubordinateIds;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What an unprivileged caller (effective uid not 0) may ask of a container, checked before the
 * first side effect so that a refusal names the field instead of a system call's errno: a user
 * namespace (every other namespace needs CAP_SYS_ADMIN in its owner), id mappings of its own id
 * or of the ranges /etc/subuid and /etc/subgid grant it (what newuidmap/newgidmap would accept),
 * and no additional gids when only its own gid is mapped (setgroups is then denied). Root in a
 * partial user namespace (rootless podman's) is not checked: it holds its namespace's capabilities.
 */
public final class RootlessConfig {
    private RootlessConfig() {}

    static final Path SUBUID = Path.of("/etc/subuid");
    static final Path SUBGID = Path.of("/etc/subgid");

    /** IllegalArgumentException naming the field when an unprivileged caller cannot run {@code config}. */
    public static void check(Config config) throws IOException {
        long uid = Rootless.euid();
        if (uid == 0 || config.linux() == null) {
            if (uid != 0) {
                throw new IllegalArgumentException("linux.namespaces: running rootless (uid " + uid + "), a container needs a user "
                        + "namespace with uidMappings and gidMappings (isthmus spec --rootless writes one)");
            }
            return;
        }
        LinuxNamespace user = null;
        for (LinuxNamespace ns : config.linux().namespaces()) {
            if (ns.type() == NamespaceType.USER) {
                user = ns;
            }
        }
        if (user == null) {
            throw new IllegalArgumentException("linux.namespaces: running rootless (uid " + uid + "), a container needs a user "
                    + "namespace with uidMappings and gidMappings (isthmus spec --rootless writes one)");
        }
        if (user.path() != null && !user.path().isEmpty()) {
            return; // joined: its maps are already written
        }
        long gid = Rootless.egid();
        String name = System.getProperty("user.name");
        SubordinateIds.check(config.linux().uidMappings(), uid, SubordinateIds.of(SUBUID, name, uid), "linux.uidMappings",
                SUBUID.toString());
        SubordinateIds.check(config.linux().gidMappings(), gid, SubordinateIds.of(SUBGID, name, uid), "linux.gidMappings",
                SUBGID.toString());
        var u = config.process() == null ? null : config.process().user();
        if (u != null && !u.additionalGids().isEmpty() && SubordinateIds.ownOnly(config.linux().gidMappings(), gid)) {
            throw new IllegalArgumentException("process.user.additionalGids: running rootless with only gid " + gid
                    + " mapped, setgroups is denied in the container's user namespace; map a range from /etc/subgid or drop them");
        }
    }
}
