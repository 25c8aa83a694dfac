package dev.isthmus.spec;

/** config-linux.md "devices[]". */
public record LinuxDevice(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}
