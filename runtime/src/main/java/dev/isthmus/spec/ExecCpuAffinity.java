package dev.isthmus.spec;

/** config.md "process.execCPUAffinity". */
public record ExecCpuAffinity(String initial, String finalAffinity) {}
