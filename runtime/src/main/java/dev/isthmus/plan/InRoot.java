package dev.isthmus.plan;

import static dev.isthmus.plan.Arg.imm;
import static dev.isthmus.plan.Arg.nul;
import static dev.isthmus.plan.Arg.str;

import dev.isthmus.sys.Errno;
import dev.isthmus.sys.K;
import dev.isthmus.sys.MountOption;
import dev.isthmus.sys.Syscall;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Steps that act on paths inside the container's rootfs without ever following a symlink (or
 * "..") out of it: the CVE-2019-16884 / CVE-2021-30465 class, where a rootfs that holds
 * {@code /mnt/x -> /etc} (or {@code ../../..}) makes a runtime mount or create on the host.
 *
 * <p>Every path is resolved by the kernel, at run time, with
 * {@code openat2(ROOT, path, {O_PATH|O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS})}
 * (openat2(2)): ROOT is an fd of the rootfs, opened in the container's mount namespace just
 * after the rootfs is bound onto itself, so it names exactly the mount that pivot_root makes
 * the container's "/". Symlinks and ".." are resolved as the container will see them, with ROOT
 * as "/"; magic links (/proc/self/fd/N, /proc/PID/root) are refused. The operation then acts on
 * the fd, never on a path string again:
 * <ul>
 * <li>bind mounts: {@code open_tree(source, OPEN_TREE_CLONE)} makes a detached copy,
 *     {@code mount_setattr} sets its flags (ro, nosuid, ...) while it is still detached (so it
 *     never appears writable), {@code move_mount(tree, "", target, "", F_EMPTY_PATH|T_EMPTY_PATH)}
 *     attaches it onto the resolved fd;</li>
 * <li>new filesystems (proc, tmpfs, sysfs, ...): {@code fchdir(target)} then
 *     {@code mount(source, ".", type, flags, data)}: "." is the directory the fd names, and
 *     mount(2) keeps its flag and option semantics exactly. (mount onto "/proc/self/fd/N" is
 *     not possible here: the stub cannot format N into a string, and /proc may already be the
 *     container's; fsopen/fsconfig would need one step per data option.)</li>
 * <li>propagation: {@code mount_setattr(fd, "", AT_EMPTY_PATH, {propagation})} on the mount's
 *     own fd (the tree after move_mount, or the target opened again after the mount);</li>
 * <li>creating mount points and devices: one component at a time, {@code mkdirat},
 *     {@code mknodat} or {@code symlinkat} with a single name relative to a parent directory
 *     that was itself resolved in the root. None of these follows a final symlink: an existing
 *     one gives EEXIST (tolerated) and is then resolved in the root by the next openat2.</li>
 * </ul>
 * A symlinked destination therefore mounts where it points <em>inside</em> the rootfs, or the
 * start fails ("open mount point /mnt/x: No such file or directory"); it never reaches the host.
 *
 * <p>Masked and read-only paths (after pivot_root) use the same resolution and tolerate ENOENT
 * as before: the openat2 then leaves -ENOENT in the target slot and the mount steps that take
 * it tolerate the EBADF that follows (the stub has no conditional steps). A mask's tmpfs is made
 * with fsopen/fsmount rather than fchdir, so a missing path can never mount over the cwd.
 *
 * <p>Slots {@link #ROOT} to {@link #DIR} belong to these steps. All fds are O_CLOEXEC and
 * closed once used; ROOT is closed after the masked paths.
 */
final class InRoot {

    /** The rootfs, an O_PATH directory fd. */
    static final int ROOT = Program.FIRST_FREE_SLOT + 4;
    /** A mount target resolved in the root. */
    static final int TARGET = Program.FIRST_FREE_SLOT + 5;
    /** A detached mount (open_tree, fsmount). */
    static final int TREE = Program.FIRST_FREE_SLOT + 6;
    /** A parent directory while creating entries; a filesystem context for masks. */
    static final int DIR = Program.FIRST_FREE_SLOT + 7;

    private static final long RESOLVE = K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS;
    private static final String RESOLVE_NAMES = "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS";
    private static final long MKDIR_MODE = 0755;

    private final List<Step> steps;
    /** Container paths already created by this plan (mkdir -p does not repeat itself). */
    private final Set<String> made = new HashSet<>();
    /** The container path whose fd is in {@link #DIR}, or null. */
    private String openDir;

    InRoot(List<Step> steps) {
        this.steps = steps;
    }

    /** {@code containerPath} made absolute and normalized lexically: "/a/../../b" is "/b". */
    static String normalize(String containerPath) {
        return Path.of("/").resolve(containerPath).normalize().toString();
    }

    /** The path relative to the root as openat2 takes it ("." for the root itself). */
    private static String rel(String normalized) {
        return normalized.equals("/") ? "." : normalized.substring(1);
    }

    private static String parent(String normalized) {
        Path p = Path.of(normalized).getParent();
        return p == null ? "/" : p.toString();
    }

    private static String name(String normalized) {
        return Path.of(normalized).getFileName().toString();
    }

    /** Opens the rootfs (a host path, already bound onto itself in the new mount namespace) into ROOT. */
    void openRoot(String hostPath) {
        steps.add(Step.storing(ROOT, Syscall.OPENAT, "open the rootfs " + hostPath, imm(K.AT_FDCWD, "AT_FDCWD"), str(hostPath),
                imm(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC"), imm(0)));
    }

    void closeRoot() {
        releaseDir();
        steps.add(Step.of(Syscall.CLOSE, "close the rootfs fd", new Arg.Slot(ROOT)));
    }

    /** fchdir to the rootfs fd: the mount pivot_root and chroot act on. */
    void chdirRoot() {
        releaseDir();
        steps.add(Step.of(Syscall.FCHDIR, "chdir to the rootfs", new Arg.Slot(ROOT)));
    }

    /** openat2 of {@code path} in the root into {@code slot}; {@code tolerate}: an errno that is not a failure (0: none). */
    private void open(String path, boolean directory, int slot, int tolerate, String what) {
        long flags = K.O_PATH | K.O_CLOEXEC | (directory ? K.O_DIRECTORY : 0);
        String names = directory ? "O_PATH|O_DIRECTORY|O_CLOEXEC" : "O_PATH|O_CLOEXEC";
        steps.add(new Step(Syscall.OPENAT2, List.of(new Arg.Slot(ROOT), str(rel(path)),
                new Arg.Bytes(K.openHow(flags, 0, RESOLVE), "{flags=" + names + ", resolve=" + RESOLVE_NAMES + "}"), imm(24)),
                Step.CHECK | Step.STORE, slot, tolerate, what));
    }

    /** The directory {@code dir} (normalized) in DIR, opened unless it already is; ROOT stands for "/". */
    private Arg dir(String dir) {
        if (dir.equals("/")) {
            return new Arg.Slot(ROOT);
        }
        if (!dir.equals(openDir)) {
            releaseDir();
            open(dir, true, DIR, 0, "open directory " + dir);
            openDir = dir;
        }
        return new Arg.Slot(DIR);
    }

    /** Closes DIR. Every mount calls this first: a directory fd opened before a mount names what the mount covers. */
    void releaseDir() {
        if (openDir != null) {
            steps.add(Step.of(Syscall.CLOSE, "close " + openDir, new Arg.Slot(DIR)));
            openDir = null;
        }
    }

    /** mkdir -p of {@code containerDir} in the root, one component at a time. */
    void mkdirs(String containerDir) {
        String d = normalize(containerDir);
        if (d.equals("/")) {
            return;
        }
        StringBuilder cur = new StringBuilder();
        for (Path part : Path.of(d)) {
            String parent = cur.isEmpty() ? "/" : cur.toString();
            cur.append('/').append(part);
            String path = cur.toString();
            if (!made.add(path)) {
                continue;
            }
            Arg at = dir(parent);
            steps.add(Step.tolerating(Errno.EEXIST.number(), Syscall.MKDIRAT, "mkdir " + path, at, str(part.toString()),
                    imm(MKDIR_MODE, "0755")));
        }
    }

    /** An empty regular file at {@code containerPath} (a mount point for a file), unless something is there. */
    void createFile(String containerPath) {
        String p = normalize(containerPath);
        mkdirs(parent(p));
        if (!made.add(p)) {
            return;
        }
        steps.add(Step.tolerating(Errno.EEXIST.number(), Syscall.MKNODAT, "create the mount point " + p, dir(parent(p)),
                str(name(p)), imm(K.S_IFREG | 0644, "S_IFREG|0644"), imm(0)));
    }

    /** A mount point: a directory, or an empty file for a bind mount of a file. */
    void mountPoint(String containerPath, boolean directory) {
        if (directory) {
            mkdirs(containerPath);
        } else {
            createFile(containerPath);
        }
    }

    /** mknod {@code containerPath} in the root (EEXIST tolerated). */
    void mknod(String containerPath, long mode, String modeName, long dev, String devName) {
        String p = normalize(containerPath);
        mkdirs(parent(p));
        steps.add(Step.tolerating(Errno.EEXIST.number(), Syscall.MKNODAT, "mknod " + p, dir(parent(p)), str(name(p)),
                imm(mode, modeName), imm(dev, devName)));
    }

    /** symlink {@code linkPath} -> {@code target} in the root (EEXIST tolerated); the target is text, not followed. */
    void symlink(String target, String linkPath) {
        String p = normalize(linkPath);
        mkdirs(parent(p));
        steps.add(Step.tolerating(Errno.EEXIST.number(), Syscall.SYMLINKAT, "symlink " + p + " -> " + target, str(target),
                dir(parent(p)), str(name(p))));
    }

    /**
     * Bind-mounts the host path {@code source} onto {@code dest} in the root: open_tree clone,
     * mount_setattr on the detached copy, move_mount onto the resolved target, then propagation.
     *
     * @param attrSet       MOUNT_ATTR_* to set on the copy (0: none)
     * @param attrClr       MOUNT_ATTR_* to clear (MOUNT_ATTR__ATIME when an atime mode is set)
     * @param attrRecursive the attributes apply to every mount of the copy, not only its top
     * @param propagation   MS_SHARED etc., with MS_REC for the whole tree (0: none)
     */
    void bind(String what, String source, String dest, boolean directory, boolean recursive, long attrSet, long attrClr,
            boolean attrRecursive, long propagation) {
        String d = normalize(dest);
        releaseDir();
        open(d, directory, TARGET, 0, "open mount point " + d);
        long treeFlags = K.OPEN_TREE_CLONE | K.OPEN_TREE_CLOEXEC | (recursive ? K.AT_RECURSIVE : 0);
        steps.add(Step.storing(TREE, Syscall.OPEN_TREE, what, imm(K.AT_FDCWD, "AT_FDCWD"), str(source),
                imm(treeFlags, "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC" + (recursive ? "|AT_RECURSIVE" : ""))));
        if (attrSet != 0 || attrClr != 0) {
            steps.add(setattr(what + ": set flags", TREE, attrRecursive, attrSet, attrClr, 0));
        }
        steps.add(moveMount(what, 0));
        if (propagation != 0) {
            steps.add(propagate("make " + d + " " + MountOption.flagNames(propagation), TREE, propagation, 0));
        }
        steps.add(Step.of(Syscall.CLOSE, "close the mount of " + d, new Arg.Slot(TREE)));
        steps.add(Step.of(Syscall.CLOSE, "close mount point " + d, new Arg.Slot(TARGET)));
    }

    /** A new filesystem on {@code dest}: fchdir to the resolved directory, mount(2) on ".", then propagation. */
    void mountNew(String what, String source, String dest, String type, long flags, String data, long propagation) {
        String d = normalize(dest);
        releaseDir();
        open(d, true, TARGET, 0, "open mount point " + d);
        steps.add(Step.of(Syscall.FCHDIR, "chdir to mount point " + d, new Arg.Slot(TARGET)));
        steps.add(Step.of(Syscall.CLOSE, "close mount point " + d, new Arg.Slot(TARGET)));
        steps.add(Step.of(Syscall.MOUNT, what, str(source), str("."), str(type), imm(flags, MountOption.flagNames(flags)), str(data)));
        if (propagation != 0) {
            // Opened again: the fd now names the new mount's root (the lookup crosses into it).
            open(d, true, TARGET, 0, "open mount " + d);
            steps.add(propagate("make " + d + " " + MountOption.flagNames(propagation), TARGET, propagation, 0));
            steps.add(Step.of(Syscall.CLOSE, "close mount " + d, new Arg.Slot(TARGET)));
        }
    }

    /**
     * Before a tmpcopyup tmpfs is mounted on {@code dest}: its directory (what the tmpfs will
     * cover) into TREE, the source of {@link #copyUp}.
     */
    void openCopySource(String dest) {
        String d = normalize(dest);
        releaseDir();
        open(d, true, TREE, 0, "tmpcopyup: open " + d + " before the tmpfs covers it");
    }

    /** Where a copied entry's contents come from and go: an fd slot for each side. */
    private static final long SENDFILE_MAX = 0x7ffff000L;

    /**
     * runc's tmpcopyup: {@code entries} (planned from the rootfs, parents first) copied from the
     * covered directory (TREE, see {@link #openCopySource}) into the tmpfs now mounted on
     * {@code dest} (opened into DIR): directories, regular files (sendfile), symlinks and fifos,
     * each with its mode and, where {@code ids} maps them, its owner. Sources are opened with
     * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS: a rootfs changed since the plan
     * fails the start, never copies from outside the directory. {@code fileSlot} and
     * {@code outSlot} are two free slots for the file fds.
     */
    void copyUp(String dest, List<Host.Entry> entries, java.util.function.LongUnaryOperator uids,
            java.util.function.LongUnaryOperator gids, int fileSlot, int outSlot) {
        String d = normalize(dest);
        releaseDir();
        open(d, true, DIR, 0, "tmpcopyup: open the tmpfs on " + d);
        Arg src = new Arg.Slot(TREE);
        Arg dst = new Arg.Slot(DIR);
        long noFollow = K.AT_SYMLINK_NOFOLLOW;
        for (Host.Entry e : entries) {
            String what = "tmpcopyup " + d + "/" + e.rel();
            long perm = e.mode() & 07777;
            long type = e.type();
            if (type == K.S_IFDIR) {
                steps.add(Step.of(Syscall.MKDIRAT, what + ": mkdir", dst, str(e.rel()), imm(perm, "0" + Long.toOctalString(perm))));
            } else if (type == K.S_IFREG) {
                steps.add(new Step(Syscall.OPENAT2, List.of(src, str(e.rel()),
                        new Arg.Bytes(K.openHow(K.O_RDONLY | K.O_CLOEXEC | K.O_NOFOLLOW, 0,
                                K.RESOLVE_BENEATH | K.RESOLVE_NO_SYMLINKS | K.RESOLVE_NO_MAGICLINKS),
                                "{flags=O_RDONLY|O_CLOEXEC|O_NOFOLLOW, resolve=RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS}"),
                        imm(24)), Step.CHECK | Step.STORE, fileSlot, 0, what + ": open the original"));
                steps.add(new Step(Syscall.OPENAT, List.of(dst, str(e.rel()), imm(K.O_WRONLY | K.O_CREAT | K.O_EXCL | K.O_CLOEXEC,
                        "O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC"), imm(perm, "0" + Long.toOctalString(perm))),
                        Step.CHECK | Step.STORE, outSlot, 0, what + ": create the copy"));
                for (long left = e.size(); left > 0; left -= SENDFILE_MAX) {
                    steps.add(Step.of(Syscall.SENDFILE, what + ": copy", new Arg.Slot(outSlot), new Arg.Slot(fileSlot), imm(0, "NULL"),
                            imm(Math.min(left, SENDFILE_MAX))));
                }
                steps.add(Step.of(Syscall.CLOSE, what + ": close the original", new Arg.Slot(fileSlot)));
                steps.add(Step.of(Syscall.CLOSE, what + ": close the copy", new Arg.Slot(outSlot)));
            } else if (type == K.S_IFLNK) {
                steps.add(Step.of(Syscall.SYMLINKAT, what + ": symlink -> " + e.linkTarget(), str(e.linkTarget()), dst, str(e.rel())));
            } else if (type == K.S_IFIFO || type == K.S_IFCHR || type == K.S_IFBLK) {
                steps.add(Step.of(Syscall.MKNODAT, what + ": mknod", dst, str(e.rel()), imm(type | perm), imm(e.rdev())));
            } else {
                continue; // a socket: nothing to copy (runc skips it too)
            }
            long uid = uids.applyAsLong(e.uid());
            long gid = gids.applyAsLong(e.gid());
            if (uid >= 0 && gid >= 0 && (uid != 0 || gid != 0)) {
                steps.add(Step.of(Syscall.FCHOWNAT, what + ": chown " + uid + ":" + gid, dst, str(e.rel()), imm(uid), imm(gid),
                        imm(noFollow, "AT_SYMLINK_NOFOLLOW")));
                if (type != K.S_IFLNK && (perm & 06000) != 0) {
                    // chown cleared set-user-ID and set-group-ID
                    steps.add(Step.of(Syscall.FCHMODAT, what + ": chmod 0" + Long.toOctalString(perm), dst, str(e.rel()), imm(perm)));
                }
            }
        }
        steps.add(Step.of(Syscall.CLOSE, "tmpcopyup: close the tmpfs on " + d, dst));
        steps.add(Step.of(Syscall.CLOSE, "tmpcopyup: close the covered " + d, src));
    }

    /** The container's /dev/ptmx (resolved in the root) opened read-write into {@code slot}. */
    void openPtmx(int slot) {
        releaseDir();
        steps.add(new Step(Syscall.OPENAT2, List.of(new Arg.Slot(ROOT), str("dev/ptmx"),
                new Arg.Bytes(K.openHow(K.O_RDWR | K.O_NOCTTY | K.O_CLOEXEC, 0, RESOLVE), "{flags=O_RDWR|O_NOCTTY|O_CLOEXEC, resolve="
                        + RESOLVE_NAMES + "}"), imm(24)), Step.CHECK | Step.STORE, slot, 0, "open the container's /dev/ptmx"));
    }

    /**
     * Binds the file open in {@code slot} onto {@code dest}, which must be the file itself: a
     * symlink anywhere on the way is refused (ELOOP), never followed to what it names.
     */
    void bindFd(int slot, String dest, String what) {
        String d = normalize(dest);
        releaseDir();
        steps.add(new Step(Syscall.OPENAT2, List.of(new Arg.Slot(ROOT), str(rel(d)),
                new Arg.Bytes(K.openHow(K.O_PATH | K.O_CLOEXEC, 0, RESOLVE | K.RESOLVE_NO_SYMLINKS), "{flags=O_PATH|O_CLOEXEC, resolve="
                        + RESOLVE_NAMES + "|RESOLVE_NO_SYMLINKS}"), imm(24)), Step.CHECK | Step.STORE, TARGET, 0, "open " + d + " (not a symlink)"));
        steps.add(Step.storing(TREE, Syscall.OPEN_TREE, what + ": clone it", new Arg.Slot(slot), str(""),
                imm(K.OPEN_TREE_CLONE | K.OPEN_TREE_CLOEXEC | K.AT_EMPTY_PATH, "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH")));
        steps.add(moveMount(what, 0));
        steps.add(Step.of(Syscall.CLOSE, "close the copy on " + d, new Arg.Slot(TREE)));
        steps.add(Step.of(Syscall.CLOSE, "close " + d, new Arg.Slot(TARGET)));
    }

    /** Sets the propagation of the mount at {@code dest} (MS_SHARED etc., with MS_REC for its whole tree). */
    void propagation(String dest, long propagation) {
        String d = normalize(dest);
        releaseDir();
        open(d, true, TARGET, 0, "open mount " + d);
        steps.add(propagate("make " + d + " " + MountOption.flagNames(propagation), TARGET, propagation, 0));
        steps.add(Step.of(Syscall.CLOSE, "close mount " + d, new Arg.Slot(TARGET)));
    }

    /**
     * For a masked path {@code /proc/NAME} that the host's procfs lacked at plan time (a procfs
     * the program has just mounted on /proc, in no new user namespace): instead of the mask's
     * steps, one mkdirat beneath that procfs, which procfs refuses with ENOENT while NAME is
     * absent (its lookup finds no such entry) and which fails the launch with EEXIST once NAME exists (a module loaded after the
     * plan was made: plan again). A mask of an absent path would make a /dev/null clone or a
     * tmpfs and, its target missing, throw it away, and dropping an unattached mount costs an
     * RCU grace period (about 50-140 us each here, see bench/README.md, the launch profile).
     */
    void absentProcEntry(String path) {
        String p = normalize(path);
        Arg proc = dir("/proc");
        steps.add(Step.tolerating(Errno.ENOENT.number(), Syscall.MKDIRAT,
                "masked path " + p + ", absent when the template was planned, is still absent (EEXIST: it exists now, plan again)",
                proc, str(p.substring("/proc/".length())), imm(0)));
    }

    /** Masks a file with a bind of /dev/null (ENOENT: nothing to mask). */
    void maskFile(String path) {
        String p = normalize(path);
        releaseDir();
        int ebadf = Errno.EBADF.number();
        open(p, false, TARGET, Errno.ENOENT.number(), "open masked path " + p);
        steps.add(Step.storing(TREE, Syscall.OPEN_TREE, "mask " + p + ": clone /dev/null", imm(K.AT_FDCWD, "AT_FDCWD"), str("/dev/null"),
                imm(K.OPEN_TREE_CLONE | K.OPEN_TREE_CLOEXEC, "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC")));
        steps.add(moveMount("mask " + p, ebadf));
        steps.add(Step.of(Syscall.CLOSE, "close the mask of " + p, new Arg.Slot(TREE)));
        steps.add(Step.unchecked(Syscall.CLOSE, "close masked path " + p, new Arg.Slot(TARGET)));
    }

    /**
     * Masks a directory with an empty read-only tmpfs (ENOENT: nothing to mask); {@code context},
     * when not null, is the tmpfs's SELinux context (linux.mountLabel).
     */
    void maskDirectory(String path, String context) {
        String p = normalize(path);
        releaseDir();
        int ebadf = Errno.EBADF.number();
        open(p, true, TARGET, Errno.ENOENT.number(), "open masked path " + p);
        steps.add(Step.storing(DIR, Syscall.FSOPEN, "mask " + p + ": open a tmpfs context", str("tmpfs"),
                imm(K.FSOPEN_CLOEXEC, "FSOPEN_CLOEXEC")));
        if (context != null) {
            steps.add(Step.of(Syscall.FSCONFIG, "mask " + p + ": label the tmpfs", new Arg.Slot(DIR),
                    imm(K.FSCONFIG_SET_STRING, "FSCONFIG_SET_STRING"), str("context"), str(context), imm(0)));
        }
        steps.add(Step.of(Syscall.FSCONFIG, "mask " + p + ": create the tmpfs", new Arg.Slot(DIR),
                imm(K.FSCONFIG_CMD_CREATE, "FSCONFIG_CMD_CREATE"), nul(), nul(), imm(0)));
        steps.add(Step.storing(TREE, Syscall.FSMOUNT, "mask " + p + ": mount the tmpfs read-only", new Arg.Slot(DIR),
                imm(K.FSMOUNT_CLOEXEC, "FSMOUNT_CLOEXEC"), imm(K.MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY")));
        steps.add(Step.of(Syscall.CLOSE, "close the tmpfs context", new Arg.Slot(DIR)));
        steps.add(moveMount("mask " + p, ebadf));
        steps.add(Step.of(Syscall.CLOSE, "close the mask of " + p, new Arg.Slot(TREE)));
        steps.add(Step.unchecked(Syscall.CLOSE, "close masked path " + p, new Arg.Slot(TARGET)));
    }

    /** A read-only recursive bind of {@code path} onto itself (ENOENT: nothing to do). */
    void readonly(String path) {
        String p = normalize(path);
        releaseDir();
        int ebadf = Errno.EBADF.number();
        open(p, false, TARGET, Errno.ENOENT.number(), "open read-only path " + p);
        steps.add(new Step(Syscall.OPEN_TREE, List.of(new Arg.Slot(TARGET), str(""),
                imm(K.OPEN_TREE_CLONE | K.OPEN_TREE_CLOEXEC | K.AT_RECURSIVE | K.AT_EMPTY_PATH,
                        "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE|AT_EMPTY_PATH")),
                Step.CHECK | Step.STORE, TREE, ebadf, "bind " + p + " for read-only: clone it"));
        steps.add(setattr("make " + p + " read-only", TREE, false, K.MOUNT_ATTR_RDONLY, 0, ebadf));
        steps.add(moveMount("bind " + p + " read-only", ebadf));
        steps.add(Step.unchecked(Syscall.CLOSE, "close the copy of " + p, new Arg.Slot(TREE)));
        steps.add(Step.unchecked(Syscall.CLOSE, "close read-only path " + p, new Arg.Slot(TARGET)));
    }

    /**
     * chdir to the process's cwd, resolved without magic links: openat2(AT_FDCWD, cwd,
     * {O_PATH|O_DIRECTORY, RESOLVE_NO_MAGICLINKS}), fchdir, close. A plain chdir follows
     * /proc/self/fd/N, and until execve the process still holds fds it inherited from the
     * runtime (close-on-exec only acts at exec): a directory among them would become a cwd
     * outside the rootfs (CVE-2024-21626). Runs after pivot_root or setns, so "/" and ".." are
     * the container's; symlinks inside the container are followed as before.
     */
    static void chdirCwd(List<Step> steps, String cwd) {
        String what = "chdir to the process's cwd " + cwd;
        steps.add(Step.storing(TARGET, Syscall.OPENAT2, what, imm(K.AT_FDCWD, "AT_FDCWD"), str(cwd),
                new Arg.Bytes(K.openHow(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, 0, K.RESOLVE_NO_MAGICLINKS),
                        "{flags=O_PATH|O_DIRECTORY|O_CLOEXEC, resolve=RESOLVE_NO_MAGICLINKS}"), imm(24)));
        steps.add(Step.of(Syscall.FCHDIR, what, new Arg.Slot(TARGET)));
        steps.add(Step.of(Syscall.CLOSE, "close the cwd fd", new Arg.Slot(TARGET)));
    }

    private static Step moveMount(String what, int tolerate) {
        return new Step(Syscall.MOVE_MOUNT, List.of(new Arg.Slot(TREE), str(""), new Arg.Slot(TARGET), str(""),
                imm(K.MOVE_MOUNT_F_EMPTY_PATH | K.MOVE_MOUNT_T_EMPTY_PATH, "MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH")),
                Step.CHECK, 0, tolerate, what);
    }

    private static Step setattr(String what, int slot, boolean recursive, long set, long clr, int tolerate) {
        long flags = K.AT_EMPTY_PATH | (recursive ? K.AT_RECURSIVE : 0);
        return new Step(Syscall.MOUNT_SETATTR, List.of(new Arg.Slot(slot), str(""), imm(flags, recursive ? "AT_EMPTY_PATH|AT_RECURSIVE" : "AT_EMPTY_PATH"),
                new Arg.Bytes(K.mountAttr(set, clr), "{attr_set=0x" + Long.toHexString(set) + ", attr_clr=0x" + Long.toHexString(clr) + "}"),
                imm(32)), Step.CHECK, 0, tolerate, what);
    }

    private static Step propagate(String what, int slot, long propagation, int tolerate) {
        boolean rec = (propagation & K.MS_REC) != 0;
        long type = propagation & ~K.MS_REC;
        long flags = K.AT_EMPTY_PATH | (rec ? K.AT_RECURSIVE : 0);
        return new Step(Syscall.MOUNT_SETATTR, List.of(new Arg.Slot(slot), str(""), imm(flags, rec ? "AT_EMPTY_PATH|AT_RECURSIVE" : "AT_EMPTY_PATH"),
                new Arg.Bytes(K.mountAttrPropagation(type), "{propagation=" + MountOption.flagNames(type) + "}"), imm(32)),
                Step.CHECK, 0, tolerate, what);
    }

    /**
     * MOUNT_ATTR_* (set, clear) for the per-mount MS_* flags a bind remount changes (mount(2):
     * ro, nosuid, nodev, noexec, the atime modes, nodiratime); other flags do not apply to a bind.
     */
    static long[] attrsOf(long msFlags) {
        long set = 0;
        long clr = 0;
        if ((msFlags & K.MS_RDONLY) != 0) {
            set |= K.MOUNT_ATTR_RDONLY;
        }
        if ((msFlags & K.MS_NOSUID) != 0) {
            set |= K.MOUNT_ATTR_NOSUID;
        }
        if ((msFlags & K.MS_NODEV) != 0) {
            set |= K.MOUNT_ATTR_NODEV;
        }
        if ((msFlags & K.MS_NOEXEC) != 0) {
            set |= K.MOUNT_ATTR_NOEXEC;
        }
        if ((msFlags & K.MS_NODIRATIME) != 0) {
            set |= K.MOUNT_ATTR_NODIRATIME;
        }
        if ((msFlags & K.MS_NOATIME) != 0) {
            set |= K.MOUNT_ATTR_NOATIME;
            clr |= K.MOUNT_ATTR__ATIME;
        } else if ((msFlags & K.MS_STRICTATIME) != 0) {
            set |= K.MOUNT_ATTR_STRICTATIME;
            clr |= K.MOUNT_ATTR__ATIME;
        } else if ((msFlags & K.MS_RELATIME) != 0) {
            set |= K.MOUNT_ATTR_RELATIME;
            clr |= K.MOUNT_ATTR__ATIME;
        }
        return new long[] {set, clr};
    }
}
