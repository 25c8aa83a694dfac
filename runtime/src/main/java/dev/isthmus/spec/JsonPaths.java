package dev.isthmus.spec;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;

/**
 * The JSON paths used in error messages: {@code linux.namespaces[2].type}, with map keys that are not plain
 * identifiers quoted: {@code annotations["io.kubernetes.cri.sandbox-id"]}.
 */
public final class JsonPaths {
    private JsonPaths() {}

    /** A path segment: a field name or an array index. */
    public sealed interface Segment permits Name, Index {}

    public record Name(String name) implements Segment {}

    public record Index(int index) implements Segment {}

    /** Appends {@code name} to {@code parent} as a field segment. */
    public static String field(String parent, String name) {
        StringBuilder sb = new StringBuilder(parent);
        appendName(sb, name);
        return sb.toString();
    }

    /** Appends {@code [index]} to {@code parent}. */
    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    static void appendName(StringBuilder sb, String name) {
        if (isIdentifier(name)) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(name);
        } else {
            sb.append("[\"");
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append("\"]");
        }
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isLetter(name.charAt(0)) && name.charAt(0) != '_') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Splits a path made by this class into segments; throws IllegalArgumentException if malformed. */
    public static List<Segment> parse(String path) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        int n = path.length();
        while (i < n) {
            char c = path.charAt(i);
            if (c == '.') {
                i++;
                continue;
            }
            if (c == '[') {
                if (i + 1 < n && path.charAt(i + 1) == '"') {
                    StringBuilder name = new StringBuilder();
                    int j = i + 2;
                    while (j < n && path.charAt(j) != '"') {
                        if (path.charAt(j) == '\\' && j + 1 < n) {
                            j++;
                        }
                        name.append(path.charAt(j++));
                    }
                    if (j + 1 >= n || path.charAt(j + 1) != ']') {
                        throw new IllegalArgumentException("malformed path");
                    }
                    out.add(new Name(name.toString()));
                    i = j + 2;
                } else {
                    int close = path.indexOf(']', i);
                    if (close < 0) {
                        throw new IllegalArgumentException("malformed path");
                    }
                    out.add(new Index(Integer.parseInt(path.substring(i + 1, close))));
                    i = close + 1;
                }
                continue;
            }
            int j = i;
            while (j < n && path.charAt(j) != '.' && path.charAt(j) != '[') {
                j++;
            }
            out.add(new Name(path.substring(i, j)));
            i = j;
        }
        return out;
    }

    /** The path of the parser's current token, from Jackson's context chain (only built for errors). */
    static String current(JsonParser p) {
        List<String> parts = new ArrayList<>();
        TokenStreamContext ctx = p.streamReadContext();
        JsonToken t = p.currentToken();
        // On START_OBJECT/START_ARRAY the context is already the new (still empty) child.
        boolean skipInnermost = t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY;
        for (; ctx != null && !ctx.inRoot(); ctx = ctx.getParent()) {
            if (skipInnermost) {
                skipInnermost = false;
                continue;
            }
            if (ctx.inObject()) {
                String name = ctx.currentName();
                if (name != null) {
                    StringBuilder sb = new StringBuilder();
                    appendName(sb, name);
                    parts.add(sb.charAt(0) == '[' ? sb.toString() : "." + sb);
                }
            } else if (ctx.inArray() && ctx.hasCurrentIndex()) {
                parts.add("[" + ctx.getCurrentIndex() + "]");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) {
            sb.append(parts.get(i));
        }
        return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }

    /**
     * Line and column of the value at {@code path} in {@code json}, or of the nearest enclosing value that exists
     * (for a missing field: the object that lacks it). {@code {0, 0}} if the document cannot be read.
     */
    static int[] locate(byte[] json, String path) {
        List<Segment> segments;
        try {
            segments = parse(path);
        } catch (RuntimeException e) {
            segments = List.of();
        }
        try (JsonParser p = ConfigReader.FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            TokenStreamLocation best = p.currentTokenLocation();
            for (Segment s : segments) {
                if (s instanceof Name(String name) && t == JsonToken.START_OBJECT) {
                    boolean found = false;
                    String f;
                    while ((f = p.nextName()) != null) {
                        t = p.nextToken();
                        if (f.equals(name)) {
                            found = true;
                            break;
                        }
                        p.skipChildren();
                    }
                    if (!found) {
                        break;
                    }
                } else if (s instanceof Index(int index) && t == JsonToken.START_ARRAY) {
                    int i = 0;
                    boolean found = false;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                        if (i++ == index) {
                            found = true;
                            break;
                        }
                        p.skipChildren();
                    }
                    if (!found) {
                        break;
                    }
                } else {
                    break;
                }
                best = p.currentTokenLocation();
            }
            return new int[] {best.getLineNr(), best.getColumnNr()};
        } catch (RuntimeException e) {
            return new int[] {0, 0};
        }
    }
}
