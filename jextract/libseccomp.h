/*
 * The libseccomp surface isthmus binds with jextract (see README.md): the runtime compiles a
 * container's linux.seccomp into classic BPF with libseccomp (seccomp_export_bpf) and installs
 * it with the seccomp(2) system call from the spawn program. (This file is not named seccomp.h: it would include itself.) seccomp-symbols.txt decides what is
 * generated, into dev.isthmus.ffm.seccomp (header class Seccomp, library libseccomp.so.2).
 *
 * Target: x86_64, libseccomp 2.5.4 (Debian 12's libseccomp-dev). Parsed by libclang 13.
 */
#include <seccomp.h>
