package dev.isthmus.spec;

import java.util.List;

/** {@code linux.personality}: domain {@code LINUX} or {@code LINUX32}. */
public record LinuxPersonality(String domain, List<String> flags) {
    public LinuxPersonality {
        flags = Copies.list(flags);
    }
}
