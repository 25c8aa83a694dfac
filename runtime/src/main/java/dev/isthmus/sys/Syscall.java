package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;

/**
 * The system calls a spawn program may make, with their numbers for this architecture taken from
 * the jextract-generated SYS_* constants. A table rather than scattered literals: the listing, the
 * stub and the reference interpreter all name calls through it.
 */
public enum Syscall {
    READ(Linux.SYS_read()),
    WRITE(Linux.SYS_write()),
    OPENAT(Linux.SYS_openat()),
    CLOSE(Linux.SYS_close()),
    DUP3(Linux.SYS_dup3()),
    IOCTL(Linux.SYS_ioctl()),
    GETPID(Linux.SYS_getpid()),
    EXIT_GROUP(Linux.SYS_exit_group()),
    EXECVE(Linux.SYS_execve()),
    EXECVEAT(Linux.SYS_execveat()),
    FCNTL(Linux.SYS_fcntl()),
    RT_SIGPROCMASK(Linux.SYS_rt_sigprocmask()),
    MOUNT(Linux.SYS_mount()),
    UMOUNT2(Linux.SYS_umount2()),
    PIVOT_ROOT(Linux.SYS_pivot_root()),
    CHROOT(Linux.SYS_chroot()),
    CHDIR(Linux.SYS_chdir()),
    FCHDIR(Linux.SYS_fchdir()),
    MKDIRAT(Linux.SYS_mkdirat()),
    MKNODAT(Linux.SYS_mknodat()),
    SYMLINKAT(Linux.SYS_symlinkat()),
    FCHMODAT(Linux.SYS_fchmodat()),
    UMASK(Linux.SYS_umask()),
    SETNS(Linux.SYS_setns()),
    UNSHARE(Linux.SYS_unshare()),
    SETHOSTNAME(Linux.SYS_sethostname()),
    SETDOMAINNAME(Linux.SYS_setdomainname()),
    SETGROUPS(Linux.SYS_setgroups()),
    SETRESUID(Linux.SYS_setresuid()),
    SETRESGID(Linux.SYS_setresgid()),
    SETSID(Linux.SYS_setsid()),
    PRCTL(Linux.SYS_prctl()),
    CAPSET(Linux.SYS_capset()),
    PRLIMIT64(Linux.SYS_prlimit64()),
    PERSONALITY(Linux.SYS_personality()),
    CLOSE_RANGE(Linux.SYS_close_range()),
    OPENAT2(Linux.SYS_openat2()),
    MOUNT_SETATTR(Linux.SYS_mount_setattr()),
    OPEN_TREE(Linux.SYS_open_tree()),
    MOVE_MOUNT(Linux.SYS_move_mount()),
    FSOPEN(Linux.SYS_fsopen()),
    FSCONFIG(Linux.SYS_fsconfig()),
    FSMOUNT(Linux.SYS_fsmount()),
    SECCOMP(Linux.SYS_seccomp());

    private final int number;

    Syscall(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The kernel's name, as strace prints it. */
    public String kernelName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
