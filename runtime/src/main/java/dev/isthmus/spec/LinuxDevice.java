package dev.isthmus.spec;

/** {@code linux.devices[]}: type {@code c}, {@code b}, {@code u} or {@code p}; fileMode is decimal. */
public record LinuxDevice(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}
