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
