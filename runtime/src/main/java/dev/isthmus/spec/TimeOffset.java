package dev.isthmus.spec;

/** config-linux.md "timeOffsets" entry. */
public record TimeOffset(long secs, long nanosecs) {}
