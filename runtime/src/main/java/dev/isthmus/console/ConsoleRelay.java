package dev.isthmus.console;

import dev.isthmus.sys.Libc;
import dev.isthmus.sys.Pty;
import dev.isthmus.sys.SysException;

/**
 * The foreground console of `isthmus run` with process.terminal: copies the runtime's stdin to
 * the pty master and the master to the runtime's stdout, with the caller's terminal (if stdin is
 * one) in raw mode, as `runc run` does without --console-socket.
 */
public final class ConsoleRelay implements AutoCloseable {
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final long DRAIN_MILLIS = 2000;
    private static final byte EOT = 4; // ^D, VEOF by default

    private final Pty pty;
    private final AutoCloseable raw;
    private final Thread output;

    private static final long EOT_REPEAT_MILLIS = 250;
    private volatile boolean closed;

    private ConsoleRelay(Pty pty, AutoCloseable raw) {
        this.pty = pty;
        this.raw = raw;
        this.output = Thread.ofPlatform().name("console-out").daemon().start(() -> copy(pty.master(), STDOUT));
        Thread.ofPlatform().name("console-in").daemon().start(() -> {
            copy(STDIN, pty.master());
            // stdin ended: say so on the terminal the way a user would, with the EOF character
            // (in canonical mode it ends a read with 0 bytes, so `sh` exits). Again while the
            // container runs: an EOF typed before the program read its terminal (stdin
            // /dev/null ends at once) is lost when a shell's line editor switches the terminal
            // out of canonical mode, and the shell would wait for a user forever.
            try {
                while (!closed) {
                    Libc.write(pty.master(), new byte[] {EOT});
                    Thread.sleep(EOT_REPEAT_MILLIS);
                }
            } catch (SysException | InterruptedException e) {
                // the container is gone
            }
        });
    }

    /**
     * Starts relaying for {@code pty}, sized from {@code rows}x{@code cols} when given (process.consoleSize)
     * or else from the caller's terminal.
     */
    public static ConsoleRelay start(Pty pty, Integer rows, Integer cols) {
        boolean tty = Pty.isatty(STDIN);
        int[] size = rows != null && cols != null ? new int[] {rows, cols} : tty ? Pty.size(STDIN) : null;
        if (size != null) {
            Pty.setSize(pty.master(), size[0], size[1]);
        }
        return new ConsoleRelay(pty, tty ? Pty.rawMode(STDIN) : () -> { });
    }

    private static void copy(int from, int to) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = Libc.read(from, buf, buf.length)) > 0) {
                byte[] chunk = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
                Libc.write(to, chunk);
            }
        } catch (SysException e) {
            // EIO on the master once the last slave fd is closed: the container is gone.
        }
    }

    /** Waits (briefly) for the container's last output, then restores the terminal. */
    @Override
    public void close() {
        closed = true;
        try {
            output.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            raw.close();
        } catch (Exception e) {
            // best effort
        }
        pty.close();
    }
}
