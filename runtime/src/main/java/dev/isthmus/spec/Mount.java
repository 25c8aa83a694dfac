package dev.isthmus.spec;

import java.util.List;

/** config.md "mounts[]". */
public record Mount(String destination, String source, String type, List<String> options, List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {
    public Mount {
        options = List.copyOf(options);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
    }
}
