package dev.isthmus.spec;

/** config-linux.md "namespaces[]": a new namespace when {@code path} is null, else the one to join. */
public record LinuxNamespace(NamespaceType type, String path) {}
