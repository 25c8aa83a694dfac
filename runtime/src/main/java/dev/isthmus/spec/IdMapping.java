package dev.isthmus.spec;

/** config-linux.md "User namespace mappings". */
public record IdMapping(long containerID, long hostID, long size) {}
