package dev.isthmus.spec;

import java.util.List;

/** {@code linux.intelRdt} (resctrl). */
public record IntelRdt(
        String closID, String l3CacheSchema, String memBwSchema, List<String> schemata, Boolean enableMonitoring) {
    public IntelRdt {
        schemata = Copies.list(schemata);
    }
}
