/*
 * The exec-window attack of CveRegressionTest, run as a container's process: sweeps /proc for
 * processes that are not the container's own program (/bin/busybox) and tries what a root
 * process in the container would try on a runtime process it can see: open /proc/PID/mem
 * read-write, PTRACE_SEIZE, read /proc/PID/environ, read the links in /proc/PID/fd and reopen
 * each fd for writing through them, read /proc/PID/exe. Prints "sighting PID EXE" once per
 * foreign process it sees and "BREACH PID WHAT EXE" (at most 200 lines) for each success on a
 * process that is still not busybox right after it. Listing /proc/PID/fd is not counted: root
 * may list the fd numbers of any process; reading what they are needs ptrace access. Stops when
 * /tmp/stop exists. Static: the rootfs holds only busybox.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXPID 4194304
static unsigned char seen[MAXPID / 8 + 1];

static int exe_of(int pid, char *buf, size_t len) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t n = readlink(path, buf, len - 1);
    if (n < 0) {
        int e = errno;
        snprintf(buf, len, "?%s", strerror(e));
        errno = e;
        return -1;
    }
    buf[n] = 0;
    return 0;
}

static int foreign(const char *exe) {
    return strcmp(exe, "/bin/busybox") != 0;
}

static int breaches;

static void breach(int pid, const char *what) {
    char exe[512];
    if (exe_of(pid, exe, sizeof exe) < 0 && (errno == ENOENT || errno == ESRCH)) {
        return; /* gone meanwhile: what it was cannot be told */
    }
    if (foreign(exe) && breaches++ < 200) {
        printf("BREACH %d %s %s\n", pid, what, exe);
        fflush(stdout);
    }
}

static void attack(int pid) {
    char path[300], exe[512], buf[256];
    int readable = exe_of(pid, exe, sizeof exe) == 0;
    if (readable && !foreign(exe)) {
        return;
    }
    if (pid < MAXPID && !(seen[pid / 8] & (1 << (pid % 8)))) {
        seen[pid / 8] |= 1 << (pid % 8);
        printf("sighting %d %s\n", pid, exe);
        fflush(stdout);
    }
    if (readable) {
        breach(pid, "exe-readlink");
    }
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int fd = open(path, O_RDWR);
    if (fd >= 0) {
        breach(pid, "mem-rdwr");
        close(fd);
    }
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
        breach(pid, "ptrace-seize");
        /* a seized tracee must be stopped before it can be detached */
        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
            waitpid(pid, NULL, __WALL);
        }
        ptrace(PTRACE_DETACH, pid, 0, 0);
    }
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    fd = open(path, O_RDONLY);
    if (fd >= 0) {
        if (read(fd, buf, sizeof buf) > 0) {
            breach(pid, "environ-read");
        }
        close(fd);
    }
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }
            snprintf(path, sizeof path, "/proc/%d/fd/%s", pid, e->d_name);
            if (readlink(path, buf, sizeof buf) >= 0) {
                breach(pid, "fd-readlink");
            }
            int w = open(path, O_WRONLY | O_APPEND);
            if (w >= 0) {
                breach(pid, "fd-reopen-write");
                close(w);
            }
        }
        closedir(d);
    }
}

int main(void) {
    int self = getpid();
    struct stat st;
    while (stat("/tmp/stop", &st) != 0) {
        DIR *proc = opendir("/proc");
        if (!proc) {
            perror("/proc");
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(proc)) != NULL) {
            int pid = atoi(e->d_name);
            if (pid > 0 && pid != self) {
                attack(pid);
            }
        }
        closedir(proc);
    }
    printf("done\n");
    return 0;
}
