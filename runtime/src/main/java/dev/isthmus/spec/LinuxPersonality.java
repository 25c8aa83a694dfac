package dev.isthmus.spec;

import java.util.List;

/** config-linux.md "personality". */
public record LinuxPersonality(String domain, List<String> flags) {
    public LinuxPersonality {
        flags = List.copyOf(flags);
    }
}
