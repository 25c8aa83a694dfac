package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;

/**
 * Kernel constants the planner needs, read once from the jextract-generated bindings so that no
 * package but sys depends on ffm-bindings. Names as in the kernel headers.
 */
public final class K {
    private K() {}

    public static final long CLONE_VM = Linux.CLONE_VM();
    public static final long CLONE_VFORK = Linux.CLONE_VFORK();
    public static final long CLONE_PIDFD = Linux.CLONE_PIDFD();
    public static final long CLONE_INTO_CGROUP = Linux.CLONE_INTO_CGROUP();
    public static final long CLONE_NEWNS = Linux.CLONE_NEWNS();
    public static final long CLONE_NEWUSER = Linux.CLONE_NEWUSER();
    public static final long CLONE_NEWPID = Linux.CLONE_NEWPID();
    public static final long CLONE_NEWNET = Linux.CLONE_NEWNET();
    public static final long CLONE_NEWIPC = Linux.CLONE_NEWIPC();
    public static final long CLONE_NEWUTS = Linux.CLONE_NEWUTS();
    public static final long CLONE_NEWCGROUP = Linux.CLONE_NEWCGROUP();
    public static final long CLONE_NEWTIME = Linux.CLONE_NEWTIME();

    public static final long MS_RDONLY = Linux.MS_RDONLY();
    public static final long MS_NOSUID = Linux.MS_NOSUID();
    public static final long MS_NODEV = Linux.MS_NODEV();
    public static final long MS_NOEXEC = Linux.MS_NOEXEC();
    public static final long MS_SYNCHRONOUS = Linux.MS_SYNCHRONOUS();
    public static final long MS_REMOUNT = Linux.MS_REMOUNT();
    public static final long MS_MANDLOCK = Linux.MS_MANDLOCK();
    public static final long MS_DIRSYNC = Linux.MS_DIRSYNC();
    public static final long MS_NOATIME = Linux.MS_NOATIME();
    public static final long MS_NODIRATIME = Linux.MS_NODIRATIME();
    public static final long MS_BIND = Linux.MS_BIND();
    public static final long MS_MOVE = Linux.MS_MOVE();
    public static final long MS_REC = Linux.MS_REC();
    public static final long MS_SILENT = Linux.MS_SILENT();
    public static final long MS_UNBINDABLE = Linux.MS_UNBINDABLE();
    public static final long MS_PRIVATE = Linux.MS_PRIVATE();
    public static final long MS_SLAVE = Linux.MS_SLAVE();
    public static final long MS_SHARED = Linux.MS_SHARED();
    public static final long MS_RELATIME = Linux.MS_RELATIME();
    public static final long MS_STRICTATIME = Linux.MS_STRICTATIME();
    public static final long MNT_DETACH = Linux.MNT_DETACH();

    public static final long O_RDONLY = Linux.O_RDONLY();
    public static final long O_WRONLY = Linux.O_WRONLY();
    public static final long O_RDWR = Linux.O_RDWR();
    public static final long O_CREAT = Linux.O_CREAT();
    public static final long O_EXCL = Linux.O_EXCL(); // the same on aarch64 (asm-generic/fcntl.h)
    public static final long O_CLOEXEC = Linux.O_CLOEXEC();
    public static final long O_NOCTTY = Linux.O_NOCTTY();
    public static final long O_PATH = Linux.O_PATH();
    /** Differs by architecture ({@link Arch#oDirectory()}). */
    public static final long O_DIRECTORY = Arch.planning().oDirectory();
    /** Differs by architecture ({@link Arch#oNofollow()}). */
    public static final long O_NOFOLLOW = Arch.planning().oNofollow();
    public static final long AT_FDCWD = Linux.AT_FDCWD();
    public static final long AT_SYMLINK_NOFOLLOW = Linux.AT_SYMLINK_NOFOLLOW();

    /** openat2(2) resolve flags (linux/openat2.h). */
    public static final long RESOLVE_IN_ROOT = Linux.RESOLVE_IN_ROOT();
    public static final long RESOLVE_NO_MAGICLINKS = Linux.RESOLVE_NO_MAGICLINKS();
    public static final long RESOLVE_NO_SYMLINKS = Linux.RESOLVE_NO_SYMLINKS();
    public static final long RESOLVE_BENEATH = Linux.RESOLVE_BENEATH();

    /** The new mount API (linux/mount.h): open_tree, move_mount, fsopen, fsconfig, fsmount. */
    public static final long OPEN_TREE_CLONE = Linux.OPEN_TREE_CLONE();
    public static final long F_DUPFD_CLOEXEC = Linux.F_DUPFD_CLOEXEC();
    public static final long OPEN_TREE_CLOEXEC = Linux.OPEN_TREE_CLOEXEC();
    public static final long MOVE_MOUNT_F_EMPTY_PATH = Linux.MOVE_MOUNT_F_EMPTY_PATH();
    public static final long MOVE_MOUNT_T_EMPTY_PATH = Linux.MOVE_MOUNT_T_EMPTY_PATH();
    public static final long FSOPEN_CLOEXEC = Linux.FSOPEN_CLOEXEC();
    public static final long FSMOUNT_CLOEXEC = Linux.FSMOUNT_CLOEXEC();
    public static final long FSCONFIG_CMD_CREATE = Linux.FSCONFIG_CMD_CREATE();
    public static final long FSCONFIG_SET_STRING = Linux.FSCONFIG_SET_STRING();
    public static final long AT_RECURSIVE = Linux.AT_RECURSIVE();

    public static final long MOUNT_ATTR_RDONLY = Linux.MOUNT_ATTR_RDONLY();
    public static final long MOUNT_ATTR_NOSUID = Linux.MOUNT_ATTR_NOSUID();
    public static final long MOUNT_ATTR_NODEV = Linux.MOUNT_ATTR_NODEV();
    public static final long MOUNT_ATTR_NOEXEC = Linux.MOUNT_ATTR_NOEXEC();
    public static final long MOUNT_ATTR__ATIME = Linux.MOUNT_ATTR__ATIME();
    public static final long MOUNT_ATTR_RELATIME = Linux.MOUNT_ATTR_RELATIME();
    public static final long MOUNT_ATTR_NOATIME = Linux.MOUNT_ATTR_NOATIME();
    public static final long MOUNT_ATTR_STRICTATIME = Linux.MOUNT_ATTR_STRICTATIME();
    public static final long MOUNT_ATTR_NODIRATIME = Linux.MOUNT_ATTR_NODIRATIME();

    public static final long S_IFREG = Linux.S_IFREG();
    public static final long S_IFDIR = Linux.S_IFDIR();
    public static final long S_IFLNK = Linux.S_IFLNK();
    public static final long S_IFCHR = Linux.S_IFCHR();
    public static final long S_IFBLK = Linux.S_IFBLK();
    public static final long S_IFIFO = Linux.S_IFIFO();

    public static final long CLOSE_RANGE_CLOEXEC = Linux.CLOSE_RANGE_CLOEXEC();
    public static final long SIG_SETMASK = Linux.SIG_SETMASK();
    public static final long PR_SET_NO_NEW_PRIVS = Linux.PR_SET_NO_NEW_PRIVS();
    public static final long PR_SET_PDEATHSIG = Linux.PR_SET_PDEATHSIG();
    public static final long SIGKILL = Linux.SIGKILL();
    public static final long SIGCHLD = Linux.SIGCHLD();
    /** clone(2): the child's parent is the caller's parent (sched.h 0x00008000; not in the bindings' allow-list). */
    public static final long CLONE_PARENT = 0x00008000L;
    public static final long TIOCSCTTY = Linux.TIOCSCTTY();
    public static final long TIOCSPTLCK = Linux.TIOCSPTLCK();
    public static final long TIOCGPTPEER = Linux.TIOCGPTPEER();
    public static final long F_SETFD = Linux.F_SETFD();
    public static final long F_GETFD = Linux.F_GETFD();
    public static final long AT_EMPTY_PATH = Linux.AT_EMPTY_PATH();

    /** Little-endian bytes of struct mount_attr {attr_set, attr_clr, propagation, userns_fd}. */
    public static byte[] mountAttr(long set, long clear) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(set).putLong(clear).putLong(0).putLong(0);
        return b.array();
    }

    /** Little-endian bytes of struct mount_attr with only a propagation type (MS_SHARED, MS_SLAVE, ...). */
    public static byte[] mountAttrPropagation(long propagation) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0).putLong(0).putLong(propagation).putLong(0);
        return b.array();
    }

    /** Little-endian bytes of struct open_how {flags, mode, resolve} (openat2(2)); 24 bytes. */
    public static byte[] openHow(long flags, long mode, long resolve) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(flags).putLong(mode).putLong(resolve);
        return b.array();
    }

    /** Little-endian bytes of struct rlimit {rlim_cur, rlim_max}. */
    public static byte[] rlimit(long soft, long hard) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(soft).putLong(hard);
        return b.array();
    }

    /** gnu_dev_makedev. */
    public static long makedev(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
