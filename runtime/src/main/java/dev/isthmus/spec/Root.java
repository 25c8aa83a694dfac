package dev.isthmus.spec;

/** config.md "root". */
public record Root(String path, boolean readonly) {}
