package dev.isthmus.container;

import dev.isthmus.sys.Libc;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Forwards the signals a foreground runtime receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2) to the container through its pidfd, as runc run does. The launcher starts the JVM with
 * -Xrs and moves HotSpot's suspend signal off SIGUSR2 (_JAVA_SR_SIGNUM) so all six can be caught;
 * a signal the JVM still refuses is left to its default.
 */
final class SignalForwarder implements AutoCloseable {
    private static final String[] FORWARDED = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2"};

    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private SignalForwarder() {}

    static SignalForwarder to(int pidfd) {
        SignalForwarder f = new SignalForwarder();
        SignalHandler h = sig -> Libc.pidfdSendSignal(pidfd, sig.getNumber());
        for (String name : FORWARDED) {
            Signal s = new Signal(name);
            try {
                f.previous.add(Signal.handle(s, h));
                f.installed.add(s);
            } catch (IllegalArgumentException e) {
                // Reserved by this JVM (run without the launcher's options): not forwarded.
            }
        }
        return f;
    }

    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
    }
}
