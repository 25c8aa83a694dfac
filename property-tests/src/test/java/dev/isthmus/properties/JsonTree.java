package dev.isthmus.properties;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/** A minimal generic tree (Map, List, String, Long/BigInteger, Double, Boolean, null) for mutating documents. */
public final class JsonTree {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonTree() {}

    public static Object read(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return value(p);
        }
    }

    private static Object value(JsonParser p) {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                String name;
                while ((name = p.nextName()) != null) {
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getString();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> {
                return null;
            }
        }
    }

    public static byte[] write(Object tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, tree);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object v) {
        if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                g.writeName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Number n) {
            g.writeNumber(n.toString());
        } else {
            g.writeNull();
        }
    }

    /** Every container (map or list) in the tree with its JSON path, in document order. */
    public static void containers(Object tree, String path, List<Map.Entry<String, Object>> out) {
        if (tree instanceof Map<?, ?> m) {
            out.add(Map.entry(path, tree));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                containers(e.getValue(), dev.isthmus.spec.JsonPaths.field(path, (String) e.getKey()), out);
            }
        } else if (tree instanceof List<?> l) {
            out.add(Map.entry(path, tree));
            for (int i = 0; i < l.size(); i++) {
                containers(l.get(i), dev.isthmus.spec.JsonPaths.index(path, i), out);
            }
        }
    }

    /** The value at a path, or {@code MISSING}. */
    static final Object MISSING = new Object();

    static Object at(Object tree, List<dev.isthmus.spec.JsonPaths.Segment> path) {
        Object cur = tree;
        for (dev.isthmus.spec.JsonPaths.Segment s : path) {
            if (s instanceof dev.isthmus.spec.JsonPaths.Name(String name) && cur instanceof Map<?, ?> m
                    && m.containsKey(name)) {
                cur = m.get(name);
            } else if (s instanceof dev.isthmus.spec.JsonPaths.Index(int i) && cur instanceof List<?> l
                    && i >= 0 && i < l.size()) {
                cur = l.get(i);
            } else {
                return MISSING;
            }
        }
        return cur;
    }

    /**
     * Structural damage to {@code tree} that keeps it well-formed JSON, in place: in the object or
     * array picked by {@code pick} among its containers, the member or element picked by
     * {@code pick2} is removed ({@code kind} 0), replaced by {@code value} (1, 2) or copied (3).
     */
    @SuppressWarnings("unchecked")
    public static void damage(Object tree, int kind, int pick, int pick2, Object value) {
        List<Map.Entry<String, Object>> containers = new ArrayList<>();
        containers(tree, "", containers);
        Object target = containers.get(pick % containers.size()).getValue();
        if (target instanceof Map<?, ?> raw && !raw.isEmpty()) {
            Map<String, Object> m = (Map<String, Object>) raw;
            List<String> keys = new ArrayList<>(m.keySet());
            String key = keys.get(pick2 % keys.size());
            switch (kind) {
                case 0 -> m.remove(key);
                case 1, 2 -> m.put(key, value);
                default -> m.put(key + "Ext", m.get(key));
            }
        } else if (target instanceof List<?> raw && !raw.isEmpty()) {
            List<Object> l = (List<Object>) raw;
            int i = pick2 % l.size();
            switch (kind) {
                case 0 -> l.remove(i);
                case 1, 2 -> l.set(i, value);
                default -> l.add(l.get(i));
            }
        }
    }
}
