package dev.isthmus.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defensive copies for the records: absent lists are {@code List.of()}, absent maps {@code Map.of()}. */
final class Copies {
    private Copies() {}

    static <T> List<T> list(List<T> list) {
        return list == null || list.isEmpty() ? List.of() : List.copyOf(list);
    }

    /** Keeps insertion order (annotations are written back in the order they were read). */
    static <V> Map<String, V> map(Map<String, V> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, V> copy = new LinkedHashMap<>(map);
        for (Map.Entry<String, V> e : copy.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new NullPointerException("null key or value");
            }
        }
        return Collections.unmodifiableMap(copy);
    }
}
