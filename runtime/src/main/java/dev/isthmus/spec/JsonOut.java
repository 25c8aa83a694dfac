package dev.isthmus.spec;

import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;

/** A small layer over JsonGenerator shared by the writers: optional fields are skipped when null or empty. */
final class JsonOut implements AutoCloseable {
    private static final ObjectWriteContext PRETTY = new ObjectWriteContext.Base() {
        @Override
        public PrettyPrinter getPrettyPrinter() {
            DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""));
            pp.indentArraysWith(indenter);
            pp.indentObjectsWith(indenter);
            return pp;
        }

        @Override
        public boolean hasPrettyPrinter() {
            return true;
        }
    };

    final JsonGenerator g;

    JsonOut(OutputStream out, boolean pretty) {
        this.g = ConfigReader.FACTORY.createGenerator(pretty ? PRETTY : ObjectWriteContext.empty(), out);
    }

    void start() {
        g.writeStartObject();
    }

    void end() {
        g.writeEndObject();
    }

    void name(String name) {
        g.writeName(name);
    }

    void str(String name, String value) {
        if (value != null) {
            g.writeName(name);
            g.writeString(value);
        }
    }

    void num(String name, Number value) {
        if (value != null) {
            g.writeName(name);
            g.writeNumber(value.longValue());
        }
    }

    /** A uint64 held as the bits of a long. */
    void unsigned(String name, Long value) {
        if (value != null) {
            g.writeName(name);
            if (value >= 0) {
                g.writeNumber(value.longValue());
            } else {
                g.writeNumber(Long.toUnsignedString(value));
            }
        }
    }

    void bool(String name, Boolean value) {
        if (value != null) {
            g.writeName(name);
            g.writeBoolean(value);
        }
    }

    /** Writes {@code true} only: for spec booleans that default to false. */
    void flag(String name, boolean value) {
        if (value) {
            g.writeName(name);
            g.writeBoolean(true);
        }
    }

    void strings(String name, List<String> values) {
        if (!values.isEmpty()) {
            g.writeName(name);
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
    }

    void stringMap(String name, Map<String, String> map) {
        if (!map.isEmpty()) {
            g.writeName(name);
            g.writeStartObject();
            for (Map.Entry<String, String> e : map.entrySet()) {
                g.writeName(e.getKey());
                g.writeString(e.getValue());
            }
            g.writeEndObject();
        }
    }

    interface Element<T> {
        void write(T value);
    }

    <T> void list(String name, List<T> values, Element<T> element) {
        if (!values.isEmpty()) {
            g.writeName(name);
            g.writeStartArray();
            for (T v : values) {
                element.write(v);
            }
            g.writeEndArray();
        }
    }

    <T> void map(String name, Map<String, T> map, Element<T> element) {
        if (!map.isEmpty()) {
            g.writeName(name);
            g.writeStartObject();
            for (Map.Entry<String, T> e : map.entrySet()) {
                g.writeName(e.getKey());
                element.write(e.getValue());
            }
            g.writeEndObject();
        }
    }

    @Override
    public void close() {
        g.close();
    }
}
