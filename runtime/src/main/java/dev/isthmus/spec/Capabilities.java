package dev.isthmus.spec;

import java.util.List;

/** config.md "process.capabilities": CAP_* names per set. */
public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable, List<String> permitted,
        List<String> ambient) {
    public Capabilities {
        bounding = List.copyOf(bounding);
        effective = List.copyOf(effective);
        inheritable = List.copyOf(inheritable);
        permitted = List.copyOf(permitted);
        ambient = List.copyOf(ambient);
    }
}
