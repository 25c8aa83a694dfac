package dev.isthmus.spec;

/** config.md "process.ioPriority". */
public record IoPriority(String ioClass, int priority) {}
