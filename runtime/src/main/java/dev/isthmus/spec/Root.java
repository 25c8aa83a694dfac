package dev.isthmus.spec;

/** {@code root}: the root filesystem, absolute or relative to the bundle. */
public record Root(String path, boolean readonly) {}
