package dev.isthmus.spec;

/**
 * An invalid config: names the file, the JSON path, where it is, and why; never the value (an
 * environment entry may hold a secret).
 */
public final class ConfigException extends Exception {
    private final String path;
    private final int line;
    private final int column;
    private final String reason;

    public ConfigException(String source, String path, int line, int column, String reason) {
        super(source + ": " + (path.isEmpty() ? "(document)" : path) + (line > 0 ? " (line " + line + ", column " + column + ")" : "")
                + ": " + reason);
        this.path = path;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public String path() {
        return path;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
