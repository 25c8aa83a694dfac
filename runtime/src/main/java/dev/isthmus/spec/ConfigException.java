package dev.isthmus.spec;

/**
 * A config that cannot be used: where ({@link #path()} as {@code linux.namespaces[2].type}, line and column)
 * and why. The message never contains the offending value, since env entries and annotations may hold secrets.
 * Line and column are 0 when unknown (a config built in code and checked by {@link ConfigValidator}).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String path;
    private final int line;
    private final int column;
    private final String reason;

    public ConfigException(String source, String path, int line, int column, String reason) {
        super(format(source, path, line, column, reason), null, false, false);
        this.source = source;
        this.path = path;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    private static String format(String source, String path, int line, int column, String reason) {
        StringBuilder sb = new StringBuilder(source == null ? "config" : source);
        if (path != null && !path.isEmpty()) {
            sb.append(": ").append(path);
        }
        if (line > 0) {
            sb.append(" (line ").append(line).append(", column ").append(column).append(')');
        }
        return sb.append(": ").append(reason).toString();
    }

    /** The name of the document, e.g. {@code config.json}. */
    public String source() {
        return source;
    }

    /** The JSON path of the offending (or missing) value; empty for the document as a whole. */
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

    ConfigException at(String newSource, int newLine, int newColumn) {
        return new ConfigException(newSource, path, newLine, newColumn, reason);
    }
}
