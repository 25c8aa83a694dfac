package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import dev.isthmus.ffm.sigaction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Forwards signals the runtime receives to the container through its pidfd, as `runc run` does,
 * with a native handler from the stub (isthmus_forward_signal): async-signal-safe and independent
 * of the JVM's signal dispatch. HotSpot refuses Java handlers for SIGQUIT always and for
 * SIGINT/SIGTERM/SIGHUP under -Xrs, and uses SIGUSR2 unless _JAVA_SR_SIGNUM moves it; the launcher
 * sets both, so native handlers own all six.
 */
public final class SignalForwarding implements AutoCloseable {

    /** SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2. */
    public static final int[] FORWARDED = {Linux.SIGINT(), Linux.SIGTERM(), Linux.SIGHUP(), Linux.SIGQUIT(), Linux.SIGUSR1(),
            Linux.SIGUSR2()};

    private static final long SIGACTION_SIZE = sigaction.sizeof();

    /**
     * libc's sigaction(2) (its struct, with the restorer libc supplies), looked up by name and
     * called through the shared shape (Native.Call): the jextract function's `$address()` would
     * link jextract's own handle too, and a handle of its own another set of spun classes.
     */
    private static final MemorySegment SIGACTION = Native.symbol("sigaction");

    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved;
    private final int[] signals;
    private final MemorySegment cell;
    private final int[] pipe;

    private SignalForwarding(int[] signals, MemorySegment cell, int[] pipe) {
        this.signals = signals.clone();
        this.cell = cell;
        this.pipe = pipe;
        saved = arena.allocate(SIGACTION_SIZE * signals.length, 8);
    }

    /**
     * Installs the forwarder for every signal in {@link #FORWARDED} (until {@link #close()}).
     * Signals that arrive before {@link #target} are dropped, as for a container not yet started.
     */
    public static SignalForwarding install() {
        return install(FORWARDED, Stub.forwardSignalOffset(), Stub.forwardCell(), null);
    }

    /**
     * Catches {@code signals} into a close-on-exec self-pipe instead, read with {@link #next()}:
     * the native handler only writes a byte, a Java thread does the rest.
     */
    public static SignalForwarding toPipe(int... signals) {
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        try {
            SignalForwarding f = install(signals, Stub.signalToPipeOffset(), Stub.pipeCell(), pipe);
            Stub.pipeCell().set(ValueLayout.JAVA_INT, 0, pipe[1]);
            return f;
        } catch (RuntimeException e) {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            throw e;
        }
    }

    private static SignalForwarding install(int[] signals, int handlerOffset, MemorySegment cell, int[] pipe) {
        SignalForwarding f = new SignalForwarding(signals, cell, pipe);
        MemorySegment act = f.arena.allocate(sigaction.layout());
        sigaction.__sigaction_handler.sa_handler(sigaction.__sigaction_handler(act), MemorySegment.ofAddress(Stub.base() + handlerOffset));
        sigaction.sa_flags(act, Linux.SA_RESTART());
        for (int i = 0; i < signals.length; i++) {
            f.sigaction(signals[i], act, f.saved.asSlice(i * SIGACTION_SIZE, SIGACTION_SIZE));
        }
        return f;
    }

    /** Signals from now on go to {@code pidfd} (-1: nowhere). */
    public void target(int pidfd) {
        cell.set(ValueLayout.JAVA_INT, 0, pidfd);
    }

    /** For {@link #toPipe}: blocks until a signal arrives and returns its number, or -1 once closed. */
    public int next() {
        byte[] b = new byte[1];
        try {
            return Libc.read(pipe[0], b, 1) == 1 ? b[0] & 0xff : -1;
        } catch (SysException e) {
            return -1;
        }
    }

    private void sigaction(int sig, MemorySegment act, MemorySegment old) {
        try {
            MemorySegment cap = Native.captureSegment(arena);
            int r = (int) (long) Native.Call.H.invokeExact(SIGACTION, cap, (long) sig, act.address(), old.address(), 0L, 0L, 0L, 0L);
            if (r < 0) {
                throw new SysException("sigaction(" + sig + ")", Native.errno(cap));
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Restores the previous dispositions and stops forwarding (closes the pipe's write end). */
    @Override
    public void close() {
        target(-1);
        for (int i = 0; i < signals.length; i++) {
            sigaction(signals[i], saved.asSlice(i * SIGACTION_SIZE, SIGACTION_SIZE), MemorySegment.NULL);
        }
        if (pipe != null) {
            Libc.close(pipe[1]); // a reader blocked in next() sees EOF; it closes the read end
        }
        arena.close();
    }

    /** For {@link #toPipe}: the reader's end, closed by the reader when it is done. */
    public void closeReader() {
        if (pipe != null) {
            Libc.close(pipe[0]);
        }
    }
}
