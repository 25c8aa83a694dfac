package dev.isthmus.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;

/**
 * Writes {@link State} in runc's field order: ociVersion, id, pid, status, bundle, rootfs, created (RFC 3339, UTC,
 * nanoseconds without trailing zeros), owner (always, possibly empty), annotations (when there are any).
 */
public final class StateWriter {
    private StateWriter() {}

    public static void write(State state, OutputStream out) throws IOException {
        try (JsonOut o = new JsonOut(out, true)) {
            o.start();
            o.str("ociVersion", state.ociVersion());
            o.str("id", state.id());
            o.num("pid", state.pid());
            o.str("status", state.status());
            o.str("bundle", state.bundle());
            o.str("rootfs", state.rootfs());
            if (state.created() != null) {
                o.str("created", DateTimeFormatter.ISO_INSTANT.format(state.created()));
            }
            o.str("owner", state.owner() == null ? "" : state.owner());
            o.stringMap("annotations", state.annotations());
            o.end();
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException("cannot write the state", e);
        }
        out.write('\n');
    }

    /**
     * Reads and writes a small constant document with the shared factory (a parser and a pretty
     * generator, as `state` uses them) to nowhere: run on a second thread while a short command
     * parses its arguments, the first use of jackson-core's classes, and of java.math.BigDecimal
     * and the ISO instant format that they and the state's "created" bring in, costs the main
     * thread nothing (issue 16). Nothing is kept.
     */
    public static void warmUp() {
        try (tools.jackson.core.JsonParser p = ConfigReader.factory().createParser(tools.jackson.core.ObjectReadContext.empty(),
                "{\"id\":\"w\",\"pid\":\"1\",\"annotations\":{\"k\":\"v\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            while (p.nextToken() != null) {
                p.getString();
            }
            write(new State("1.3.0", "w", "stopped", 1, "/", "/", java.time.Instant.parse("1970-01-01T00:00:00.5Z"), "",
                    java.util.Map.of("k", "v")), OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the command itself reports what is wrong
        }
    }

    public static byte[] toBytes(State state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try {
            write(state, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
