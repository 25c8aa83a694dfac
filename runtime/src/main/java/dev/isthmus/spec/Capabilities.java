package dev.isthmus.spec;

import java.util.List;

/** {@code process.capabilities}: the five sets, as {@code CAP_*} names (see {@link CapabilityNames}). */
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {
    public Capabilities {
        bounding = Copies.list(bounding);
        effective = Copies.list(effective);
        inheritable = Copies.list(inheritable);
        permitted = Copies.list(permitted);
        ambient = Copies.list(ambient);
    }
}
