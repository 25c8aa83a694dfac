package dev.isthmus.spec;

import java.util.List;

/** {@code linux.memoryPolicy} (set_mempolicy(2)). */
public record LinuxMemoryPolicy(String mode, String nodes, List<String> flags) {
    public LinuxMemoryPolicy {
        flags = Copies.list(flags);
    }
}
