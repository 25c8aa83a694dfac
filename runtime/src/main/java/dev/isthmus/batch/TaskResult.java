package dev.isthmus.batch;

/**
 * How a task ended: exited with {@code exitCode}, was killed by {@code signal}, or could not be
 * started ({@code error}, exit code 127 when its program could not be executed).
 *
 * @param interrupted the launch was interrupted (Ctrl-C) while the task ran
 */
public record TaskResult(String id, int pid, int exitCode, int signal, String error, long wallNanos, boolean interrupted) {

    public boolean succeeded() {
        return error == null && signal == 0 && exitCode == 0 && !interrupted;
    }

    /** One JSON line: {"id":..., "pid":..., "exit":N | "signal":N, "wall_ms":..., ["error":...], ["interrupted":true]}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(96).append("{\"id\":");
        quote(sb, id);
        sb.append(",\"pid\":").append(pid);
        if (signal != 0) {
            sb.append(",\"signal\":").append(signal);
        } else {
            sb.append(",\"exit\":").append(exitCode);
        }
        sb.append(",\"wall_ms\":").append(String.format(java.util.Locale.ROOT, "%.3f", wallNanos / 1e6));
        if (error != null) {
            sb.append(",\"error\":");
            quote(sb, error);
        }
        if (interrupted) {
            sb.append(",\"interrupted\":true");
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }
}
