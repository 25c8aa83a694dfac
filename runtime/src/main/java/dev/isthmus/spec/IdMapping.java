package dev.isthmus.spec;

/** A uid or gid mapping (LinuxIDMapping); all three are uint32. */
public record IdMapping(long containerID, long hostID, long size) {}
