package dev.isthmus.spec;

/** {@code process.consoleSize} in characters (uint32 each). */
public record ConsoleSize(long height, long width) {}
