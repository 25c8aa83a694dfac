package dev.isthmus.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * runc's --log and --log-format: every line the runtime writes to stderr that starts with
 * "isthmus: " is also appended to the log file, as text or as one JSON object per line
 * ({"level":"error","msg":...,"time":...}), which is what podman and conmon read on failure.
 */
final class Log {
    private Log() {}

    private static final String PREFIX = "isthmus: ";

    /** Tees System.err into {@code file} in {@code format} ("text" or "json"). */
    static void install(Path file, String format) {
        if (file == null) {
            return;
        }
        boolean json = "json".equals(format);
        PrintStream original = System.err;
        OutputStream tee = new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(int b) {
                original.write(b);
                if (b == '\n') {
                    flushLine();
                } else {
                    line.append((char) (b & 0xff));
                }
            }

            @Override
            public void flush() {
                original.flush();
            }

            private void flushLine() {
                String l = new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                line.setLength(0);
                if (!l.startsWith(PREFIX)) {
                    return;
                }
                String msg = l.substring(PREFIX.length());
                String record = json
                        ? "{\"level\":\"error\",\"msg\":" + quote(msg) + ",\"time\":\"" + Instant.now() + "\"}\n"
                        : "time=\"" + Instant.now() + "\" level=error msg=" + quote(msg) + "\n";
                try {
                    Files.writeString(file, record, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    original.println("isthmus: --log " + file + ": " + e.getMessage());
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s, sb);
        return sb.append('"').toString();
    }
}
