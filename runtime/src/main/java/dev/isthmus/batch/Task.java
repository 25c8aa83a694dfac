package dev.isthmus.batch;

import dev.isthmus.spec.ConfigReader;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * One task of a many-task launch: what differs from the template bundle. Null or empty fields
 * keep the template's value; {@code env} entries are added to (or replace by name) the template's.
 *
 * @param binds per-task bind mounts, {@code source:destination[:ro]}-like records
 */
public record Task(String id, List<String> args, List<String> env, String cwd, String hostname, List<Bind> binds) {

    /** A per-task bind mount. */
    public record Bind(String source, String destination, boolean readonly) {}

    public Task {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id: required");
        }
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        binds = binds == null ? List.of() : List.copyOf(binds);
    }

    /** A task that only sets its arguments. */
    public static Task of(String id, String... args) {
        return new Task(id, List.of(args), List.of(), null, null, List.of());
    }

    /**
     * Parses one line of a tasks file: {@code {"id": "t1", "args": [...], "env": ["K=V"], "cwd": "/",
     * "hostname": "h", "mounts": [{"source": "/data", "destination": "/in", "readonly": true}]}}.
     *
     * @throws IllegalArgumentException naming the line and the field, never a value
     */
    public static Task parse(String line, int lineNo) {
        try (JsonParser p = ConfigReader.factory().createParser(ObjectReadContext.empty(), line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(lineNo, "(line)", "must be a JSON object");
            }
            String id = null;
            String cwd = null;
            String hostname = null;
            List<String> args = null;
            List<String> env = null;
            List<Bind> binds = new ArrayList<>();
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> id = string(p, t, lineNo, name);
                    case "args" -> args = strings(p, t, lineNo, name);
                    case "env" -> env = strings(p, t, lineNo, name);
                    case "cwd" -> cwd = string(p, t, lineNo, name);
                    case "hostname" -> hostname = string(p, t, lineNo, name);
                    case "mounts" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw bad(lineNo, name, "must be an array");
                        }
                        int i = 0;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String src = null;
                            String dst = null;
                            boolean ro = false;
                            String f;
                            while ((f = p.nextName()) != null) {
                                JsonToken v = p.nextToken();
                                String field = "mounts[" + i + "]." + f;
                                switch (f) {
                                    case "source" -> src = string(p, v, lineNo, field);
                                    case "destination" -> dst = string(p, v, lineNo, field);
                                    case "readonly" -> ro = v == JsonToken.VALUE_TRUE;
                                    default -> p.skipChildren();
                                }
                            }
                            if (src == null || dst == null || !dst.startsWith("/")) {
                                throw bad(lineNo, "mounts[" + i + "]", "needs a source and an absolute destination");
                            }
                            binds.add(new Bind(src, dst, ro));
                            i++;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (id == null || id.isEmpty()) {
                throw bad(lineNo, "id", "required");
            }
            if (cwd != null && !cwd.startsWith("/")) {
                throw bad(lineNo, "cwd", "must be an absolute path");
            }
            return new Task(id, args, env, cwd, hostname, binds);
        } catch (JacksonException e) {
            throw bad(lineNo, "(line)", "malformed JSON");
        }
    }

    private static String string(JsonParser p, JsonToken t, int lineNo, String field) {
        if (t != JsonToken.VALUE_STRING) {
            throw bad(lineNo, field, "must be a string");
        }
        return p.getString();
    }

    private static List<String> strings(JsonParser p, JsonToken t, int lineNo, String field) {
        if (t != JsonToken.START_ARRAY) {
            throw bad(lineNo, field, "must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) {
                throw bad(lineNo, field, "must be an array of strings");
            }
            out.add(p.getString());
        }
        return out;
    }

    private static IllegalArgumentException bad(int lineNo, String field, String reason) {
        return new IllegalArgumentException("tasks line " + lineNo + ": " + field + ": " + reason);
    }
}
