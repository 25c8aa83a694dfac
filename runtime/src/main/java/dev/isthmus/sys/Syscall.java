package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;

/**
 * The system calls a spawn program may make, with their numbers per architecture: x86_64's from
 * the jextract-generated SYS_* constants (the committed bindings are x86_64 output), aarch64's
 * written here from the kernel's asm-generic/unistd.h (aarch64 has no table of its own;
 * Aarch64SyscallTableTest checks them against that header when it is installed). A table rather
 * than scattered literals: the listing, the stub and the reference interpreter all name calls
 * through it.
 */
public enum Syscall {
    READ(Linux.SYS_read(), 63),
    WRITE(Linux.SYS_write(), 64),
    OPENAT(Linux.SYS_openat(), 56),
    CLOSE(Linux.SYS_close(), 57),
    DUP3(Linux.SYS_dup3(), 24),
    IOCTL(Linux.SYS_ioctl(), 29),
    GETPID(Linux.SYS_getpid(), 172),
    EXIT_GROUP(Linux.SYS_exit_group(), 94),
    EXECVE(Linux.SYS_execve(), 221),
    EXECVEAT(Linux.SYS_execveat(), 281),
    FCNTL(Linux.SYS_fcntl(), 25),
    RT_SIGPROCMASK(Linux.SYS_rt_sigprocmask(), 135),
    MOUNT(Linux.SYS_mount(), 40),
    UMOUNT2(Linux.SYS_umount2(), 39),
    PIVOT_ROOT(Linux.SYS_pivot_root(), 41),
    CHROOT(Linux.SYS_chroot(), 51),
    CHDIR(Linux.SYS_chdir(), 49),
    FCHDIR(Linux.SYS_fchdir(), 50),
    MKDIRAT(Linux.SYS_mkdirat(), 34),
    MKNODAT(Linux.SYS_mknodat(), 33),
    SYMLINKAT(Linux.SYS_symlinkat(), 36),
    FCHMODAT(Linux.SYS_fchmodat(), 53),
    FCHOWNAT(Linux.SYS_fchownat(), 54),
    SENDFILE(Linux.SYS_sendfile(), 71),
    UMASK(Linux.SYS_umask(), 166),
    SETNS(Linux.SYS_setns(), 268),
    UNSHARE(Linux.SYS_unshare(), 97),
    SETHOSTNAME(Linux.SYS_sethostname(), 161),
    SETDOMAINNAME(Linux.SYS_setdomainname(), 162),
    SETGROUPS(Linux.SYS_setgroups(), 159),
    SETRESUID(Linux.SYS_setresuid(), 147),
    SETRESGID(Linux.SYS_setresgid(), 149),
    SETSID(Linux.SYS_setsid(), 157),
    SETPGID(Linux.SYS_setpgid(), 154),
    CLONE(Linux.SYS_clone(), 220),
    PRCTL(Linux.SYS_prctl(), 167),
    CAPSET(Linux.SYS_capset(), 91),
    PRLIMIT64(Linux.SYS_prlimit64(), 261),
    PERSONALITY(Linux.SYS_personality(), 92),
    CLOSE_RANGE(Linux.SYS_close_range(), 436),
    OPENAT2(Linux.SYS_openat2(), 437),
    MOUNT_SETATTR(Linux.SYS_mount_setattr(), 442),
    OPEN_TREE(Linux.SYS_open_tree(), 428),
    MOVE_MOUNT(Linux.SYS_move_mount(), 429),
    FSOPEN(Linux.SYS_fsopen(), 430),
    FSCONFIG(Linux.SYS_fsconfig(), 431),
    FSMOUNT(Linux.SYS_fsmount(), 432),
    SECCOMP(Linux.SYS_seccomp(), 277),
    /** Only in a profiled program (batch.LaunchProfile): a timestamp before each step. */
    CLOCK_GETTIME(Linux.SYS_clock_gettime(), 113),
    // Made by the runtime itself through Libc's one raw-syscall handle, not by programs:
    PIPE2(Linux.SYS_pipe2(), 59),
    MMAP(Linux.SYS_mmap(), 222),
    MPROTECT(Linux.SYS_mprotect(), 226),
    WAITID(Linux.SYS_waitid(), 95),
    MEMFD_CREATE(Linux.SYS_memfd_create(), 279),
    PIDFD_OPEN(Linux.SYS_pidfd_open(), 434),
    PIDFD_SEND_SIGNAL(Linux.SYS_pidfd_send_signal(), 424),
    PPOLL(Linux.SYS_ppoll(), 73),
    PIDFD_GETFD(Linux.SYS_pidfd_getfd(), 438);

    private final int x86_64;
    private final int aarch64;

    Syscall(int x86_64, int aarch64) {
        this.x86_64 = x86_64;
        this.aarch64 = aarch64;
    }

    /** The number on this machine's architecture. */
    public int number() {
        return number(Arch.current());
    }

    /** The number on {@code arch}: what a program laid out for that architecture's stub calls. */
    public int number(Arch arch) {
        return switch (arch) {
            case X86_64 -> x86_64;
            case AARCH64 -> aarch64;
        };
    }

    /** The kernel's name, as strace prints it. */
    public String kernelName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
