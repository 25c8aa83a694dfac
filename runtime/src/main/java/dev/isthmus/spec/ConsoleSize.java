package dev.isthmus.spec;

/** config.md "process.consoleSize". */
public record ConsoleSize(long height, long width) {}
