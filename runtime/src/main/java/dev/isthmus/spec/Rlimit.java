package dev.isthmus.spec;

/** config.md "process.rlimits[]". */
public record Rlimit(String type, long hard, long soft) {}
