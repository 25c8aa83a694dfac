/*
 * The C surface isthmus binds with jextract (see README.md and symbols.txt).
 * Only what symbols.txt names is generated; this header just brings the declarations in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>           /* setgroups */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>        /* posix_openpt, grantpt, unlockpt, ptsname_r */
#include <string.h>        /* strerror */
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>       /* glibc 2.36: MS_*, MNT_*, MOUNT_ATTR_*, fsopen..., struct mount_attr */
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <linux/sched.h>     /* struct clone_args, CLONE_NEWTIME, CLONE_INTO_CGROUP... */

/*
 * System calls glibc 2.36 has no wrapper for. Declared here so their prototypes are part of the
 * bindings' documentation; no libc symbol exists, so isthmus never calls them through these
 * bindings: the spawn stub issues them by number (SYS_*), with the structs below.
 */
long clone3(struct clone_args *cl_args, size_t size);
int pivot_root(const char *new_root, const char *put_old);
long openat2(int dirfd, const char *pathname, struct open_how *how, size_t size);
int capget(cap_user_header_t hdrp, cap_user_data_t datap);
int capset(cap_user_header_t hdrp, const cap_user_data_t datap);
