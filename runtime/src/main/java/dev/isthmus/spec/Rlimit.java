package dev.isthmus.spec;

/**
 * {@code process.rlimits[]}. {@code hard} and {@code soft} are uint64 held as the bits of a long:
 * compare with {@link Long#compareUnsigned}; -1 is RLIM_INFINITY (18446744073709551615).
 */
public record Rlimit(String type, long hard, long soft) {}
