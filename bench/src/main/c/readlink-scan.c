/*
 * The reference for NamespaceScanBenchmark: one pass over a proc directory in C, as a runtime
 * written in C would do it (opendir/readdir, snprintf of "PID/ns/TYPE", readlinkat, memcmp),
 * repeated; prints the nanoseconds per pass and per numeric entry.
 *
 *   readlink-scan DIR TYPE TARGET PASSES
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long pass(int dirfd, const char *type, const char *target, size_t tlen, long *entries, long *members) {
    DIR *d = fdopendir(dup(dirfd));
    if (!d) { perror("fdopendir"); exit(1); }
    rewinddir(d);
    long unreadable = 0;
    struct dirent *e;
    char path[64], link[128];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        (*entries)++;
        snprintf(path, sizeof path, "%s/ns/%s", e->d_name, type);
        ssize_t n = readlinkat(dirfd, path, link, sizeof link);
        if (n < 0) { unreadable++; continue; }
        if ((size_t) n == tlen && memcmp(link, target, tlen) == 0) (*members)++;
    }
    closedir(d);
    return unreadable;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s DIR TYPE TARGET PASSES\n", argv[0]); return 2; }
    int dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) { perror(argv[1]); return 1; }
    long passes = atol(argv[4]), entries = 0, members = 0;
    size_t tlen = strlen(argv[3]);
    for (long i = 0; i < passes / 10; i++) pass(dirfd, argv[2], argv[3], tlen, &entries, &members); /* warm up */
    entries = members = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < passes; i++) pass(dirfd, argv[2], argv[3], tlen, &entries, &members);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    printf("%s: %.1f us/pass, %.0f ns/entry, %ld entries/pass, %ld members/pass\n", argv[1], ns / passes / 1000,
           ns / entries, entries / passes, members / passes);
    return 0;
}
