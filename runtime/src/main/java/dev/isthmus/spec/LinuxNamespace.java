package dev.isthmus.spec;

/** {@code linux.namespaces[]}: a new namespace when {@code path} is null, else join the one at path. */
public record LinuxNamespace(NamespaceType type, String path) {}
