/*
 * The C surface isthmus binds with jextract (see README.md). This header only brings declarations
 * into scope; symbols.txt decides what is generated.
 *
 * Target: x86_64 Linux, glibc 2.36 and linux-libc-dev 6.1 (Debian 12). Parsed by libclang 13.
 */
#define _GNU_SOURCE            /* clone flags, setns, unshare, pipe2, dup3, ptsname_r, statx... */

#include <dirent.h>            /* getdents64: the /proc scan */
#include <errno.h>
#include <fcntl.h>             /* O_*, AT_*, F_*, openat, fcntl; struct statx via bits/statx.h */
#include <grp.h>               /* setgroups */
#include <poll.h>
#include <sched.h>             /* CLONE_* (glibc), unshare, setns */
#include <signal.h>            /* SIG*, sigaction, siginfo_t, CLD_*, pthread_sigmask */
#include <stdlib.h>            /* posix_openpt, grantpt, unlockpt, ptsname_r */
#include <string.h>            /* strerror */
#include <termios.h>
#include <unistd.h>            /* syscall, read, write, execve, chdir, sethostname, setresuid... */
#include <sys/ioctl.h>         /* TIOC*, struct winsize */
#include <sys/mman.h>          /* PROT_*, MAP_*, MFD_*, memfd_create */
/*
 * Mount API (mount, umount2, fsopen, fsconfig, fsmount, fspick, open_tree, move_mount,
 * mount_setattr; MS_*, MNT_*, MOUNT_ATTR_*, MOVE_MOUNT_*, FSCONFIG_*, struct mount_attr).
 * Only <sys/mount.h> is included: glibc 2.36 as released conflicted with <linux/mount.h>;
 * Debian 12's glibc carries the upstream fix, whose <sys/mount.h> includes <linux/mount.h>
 * itself. Including just this one works with both.
 */
#include <sys/mount.h>
#include <sys/personality.h>   /* personality, PER_*, ADDR_NO_RANDOMIZE */
#include <sys/pidfd.h>         /* pidfd_open, pidfd_send_signal, pidfd_getfd (glibc 2.36) */
#include <sys/prctl.h>         /* prctl, PR_* (includes linux/prctl.h) */
#include <sys/resource.h>      /* RLIMIT_*, prlimit, struct rlimit */
#include <sys/socket.h>        /* AF_UNIX, SOCK_*, SCM_RIGHTS, msghdr, cmsghdr */
#include <sys/un.h>            /* sockaddr_un: --console-socket */
#include <sys/stat.h>          /* S_IF*, mknod, umask, fstatat, statx */
#include <sys/syscall.h>       /* SYS_* (x86_64 numbers, from asm/unistd_64.h) */
#include <sys/types.h>
#include <sys/uio.h>           /* struct iovec */
#include <sys/vfs.h>           /* statfs, fstatfs, struct statfs: cgroup v1/v2 detection */
#include <sys/wait.h>          /* waitid, P_PID, P_PIDFD, W* */

#include <linux/audit.h>       /* AUDIT_ARCH_* for seccomp filters */
#include <linux/capability.h>  /* _LINUX_CAPABILITY_VERSION_3, CAP_*, cap_user_*_t */
#include <linux/close_range.h> /* CLOSE_RANGE_* */
#include <linux/filter.h>      /* struct sock_filter, struct sock_fprog, BPF_* */
#include <linux/magic.h>       /* CGROUP2_SUPER_MAGIC, PROC_SUPER_MAGIC... */
#include <linux/openat2.h>     /* struct open_how, RESOLVE_* */
#include <linux/sched.h>       /* struct clone_args, CLONE_ARGS_SIZE_VER*, CLONE_INTO_CGROUP... */
#include <linux/seccomp.h>     /* SECCOMP_*, struct seccomp_data */
#include <linux/securebits.h>  /* SECBIT_*, for PR_SET_SECUREBITS */

/*
 * System calls that glibc 2.36 declares in no header. Their prototypes are written here from the
 * man pages so that the bindings carry their signatures.
 *
 * Exported by libc.so.6 although no glibc header declares them: the generated methods work.
 */
int pivot_root(const char *new_root, const char *put_old);                  /* pivot_root(2) */
int capget(cap_user_header_t hdrp, cap_user_data_t datap);                  /* capget(2); libcap's header */
int capset(cap_user_header_t hdrp, const cap_user_data_t datap);            /* capset(2); libcap's header */
/*
 * Not exported by glibc 2.36 at all: calling the generated method fails (symbol not found).
 * Reach them with syscall(SYS_clone3, ...) / syscall(SYS_openat2, ...), or from the spawn stub,
 * using the generated struct layouts (clone_args, open_how).
 */
long clone3(struct clone_args *cl_args, size_t size);                       /* clone3(2) */
long openat2(int dirfd, const char *pathname, struct open_how *how, size_t size); /* openat2(2) */
