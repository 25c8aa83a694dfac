package dev.isthmus.spec;

/** {@code process.execCPUAffinity}: CPU lists such as {@code 0-3,7}. */
public record ExecCpuAffinity(String initial, String finalCpus) {}
