package dev.isthmus.spec;

/** A {@code linux.timeOffsets} value: seconds (int64) and nanoseconds (uint32), each optional. */
public record TimeOffset(Long secs, Long nanosecs) {}
