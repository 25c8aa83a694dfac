package dev.isthmus.spec;

/** {@code process.ioPriority}: {@code IOPRIO_CLASS_RT|BE|IDLE} and a level 0 (highest) to 7. */
public record IoPriority(String ioClass, int priority) {}
