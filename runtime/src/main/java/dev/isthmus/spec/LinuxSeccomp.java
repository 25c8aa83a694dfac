package dev.isthmus.spec;

import java.util.List;

/** {@code linux.seccomp}. */
public record LinuxSeccomp(
        String defaultAction,
        Long defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        String listenerPath,
        String listenerMetadata,
        List<Syscall> syscalls) {
    public LinuxSeccomp {
        architectures = Copies.list(architectures);
        flags = Copies.list(flags);
        syscalls = Copies.list(syscalls);
    }

    /** {@code syscalls[]}: a rule for one or more syscall names. */
    public record Syscall(List<String> names, String action, Long errnoRet, List<Arg> args) {
        public Syscall {
            names = Copies.list(names);
            args = Copies.list(args);
        }
    }

    /** {@code syscalls[].args[]}; value and valueTwo are uint64 bits. */
    public record Arg(long index, long value, Long valueTwo, String op) {}
}
