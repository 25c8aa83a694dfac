package dev.isthmus.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;

/**
 * A streaming parser that knows the JSON path of its current value, so every error can name it
 * ("linux.namespaces[2].type") with a line and column, and never the value itself.
 */
final class Cursor {

    @FunctionalInterface
    interface Fields {
        void field(String name) throws ConfigException;
    }

    @FunctionalInterface
    interface Elements {
        void element(int index) throws ConfigException;
    }

    private final JsonParser p;
    private final String source;
    private final StringBuilder path = new StringBuilder();

    Cursor(JsonParser p, String source) {
        this.p = p;
        this.source = source;
    }

    String path() {
        return path.toString();
    }

    /** The path of {@code field} under the current value, for messages about a missing field. */
    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    ConfigException error(String reason) {
        return error(path(), reason);
    }

    ConfigException error(String at, String reason) {
        TokenStreamLocation l = p.currentLocation();
        return new ConfigException(source, at, l.getLineNr(), l.getColumnNr(), reason);
    }

    JsonToken token() {
        return p.currentToken();
    }

    JsonToken next() {
        return p.nextToken();
    }

    boolean isNull() {
        return p.currentToken() == JsonToken.VALUE_NULL;
    }

    /** Reads the object at the current token, calling {@code fields} with each name, positioned on its value. */
    void object(Fields fields) throws ConfigException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("must be an object");
        }
        int mark = path.length();
        String name;
        while ((name = p.nextName()) != null) {
            if (mark > 0) {
                path.append('.');
            }
            path.append(name);
            p.nextToken();
            fields.field(name);
            path.setLength(mark);
        }
    }

    /** Reads the array at the current token, calling {@code elements} positioned on each element. */
    void array(Elements elements) throws ConfigException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error("must be an array");
        }
        int mark = path.length();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            path.append('[').append(i).append(']');
            elements.element(i);
            path.setLength(mark);
            i++;
        }
    }

    /** Skips the current value: the spec says unknown properties must be ignored. */
    void skip() {
        p.skipChildren();
    }

    String string() throws ConfigException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error("must be a string");
        }
        return p.getString();
    }

    String requiredString() throws ConfigException {
        String s = string();
        if (s == null) {
            throw error("must be a string, not null");
        }
        return s;
    }

    boolean bool() throws ConfigException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE || t == JsonToken.VALUE_NULL) {
            return false;
        }
        throw error("must be true or false");
    }

    long integer() throws ConfigException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw error("must be an integer");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            // uint64 values such as RLIM_INFINITY exceed long: keep their bits
            return p.getBigIntegerValue().longValue();
        }
        return p.getLongValue();
    }

    long unsigned() throws ConfigException {
        long v = integer();
        if (v < 0 && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            throw error("must not be negative");
        }
        return v;
    }

    Long optionalInteger() throws ConfigException {
        return isNull() ? null : integer();
    }

    Integer optionalInt() throws ConfigException {
        if (isNull()) {
            return null;
        }
        long v = integer();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error("out of range");
        }
        return (int) v;
    }

    List<String> strings() throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        array(i -> out.add(requiredString()));
        return out;
    }

    Map<String, String> stringMap() throws ConfigException {
        if (isNull()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        object(name -> out.put(name, requiredString()));
        return out;
    }

    /** Any JSON value as maps, lists, strings, longs, doubles, booleans and nulls. */
    Object any() throws ConfigException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                object(name -> m.put(name, any()));
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                array(i -> l.add(any()));
                yield l;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw error("unexpected token");
        };
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> anyObject() throws ConfigException {
        if (isNull()) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("must be an object");
        }
        return (Map<String, Object>) any();
    }
}
