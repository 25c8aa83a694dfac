package dev.isthmus.spec;

import java.util.List;

/** {@code mounts[]}, in the order they must be mounted. */
public record Mount(
        String destination,
        String source,
        String type,
        List<String> options,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {
    public Mount {
        options = Copies.list(options);
        uidMappings = Copies.list(uidMappings);
        gidMappings = Copies.list(gidMappings);
    }
}
