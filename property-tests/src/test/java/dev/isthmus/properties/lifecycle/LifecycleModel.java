package dev.isthmus.properties.lifecycle;

import java.util.Map;
import java.util.TreeMap;

/**
 * The OCI lifecycle (runtime-spec runtime.md, "Lifecycle" and "Operations") as isthmus implements
 * it, per state mode: what each CLI call must answer and which status it leaves. Pure: no process,
 * no file. A container absent from {@link #containers} does not exist (never created, or deleted).
 *
 * <p>Where isthmus follows runc rather than the letter of the spec, the model says so:
 * <ul>
 * <li>{@code delete} of a created container succeeds (it kills the parked init), as with runc;</li>
 * <li>{@code delete --force} of a container that does not exist succeeds (containerd's shim relies on it).</li>
 * </ul>
 * The state modes differ in these ways:
 * <ul>
 * <li>spec and bundle: the container has its own pid namespace, whose init (the parked init, then
 *     {@code sleep}) has no signal handlers, so only SIGKILL ends it (pid_namespaces(7));</li>
 * <li>exec: no pid namespace, so every signal whose default action ends a process ends it; a
 *     foreground {@code run} leaves its record (status stopped) since no runtime remains to remove it;
 *     {@code create} records a container with no process (pid 0: kill is refused, state shows pid 0,
 *     ps lists nothing) and {@code start} becomes it, in the background here.</li>
 * </ul>
 */
final class LifecycleModel {

    enum Mode {
        SPEC, BUNDLE, EXEC;

        String flag() {
            return "--state-mode=" + name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether containers get their own pid namespace (and so ignore signals other than SIGKILL). */
        boolean pidNamespace() {
            return this != EXEC;
        }
    }

    enum Status {
        CREATED, RUNNING, STOPPED;

        String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final Mode mode;
    final Map<String, Status> containers = new TreeMap<>();

    LifecycleModel(Mode mode) {
        this.mode = mode;
    }

    Status status(String id) {
        return containers.get(id);
    }

    boolean exists(String id) {
        return containers.containsKey(id);
    }

    // --- which calls succeed (anything else is refused: non-zero exit, "isthmus: ..." on stderr, no change)

    boolean createAllowed(String id) {
        return !exists(id);
    }

    boolean startAllowed(String id) {
        return status(id) == Status.CREATED;
    }

    boolean stateAllowed(String id) {
        return exists(id);
    }

    /** {@code signal} is the signal number, or -1 for a name isthmus must reject. */
    boolean killAllowed(String id, int signal) {
        return signal > 0 && exists(id) && status(id) != Status.STOPPED && !noProcessYet(id);
    }

    /** An exec-mode container that is created has no process until start becomes it (pid 0). */
    boolean noProcessYet(String id) {
        return mode == Mode.EXEC && status(id) == Status.CREATED;
    }

    boolean deleteAllowed(String id, boolean force) {
        return force || (exists(id) && status(id) != Status.RUNNING);
    }

    boolean execAllowed(String id) {
        return status(id) == Status.RUNNING;
    }

    boolean psAllowed(String id) {
        return exists(id);
    }

    boolean runAllowed(String id) {
        return !exists(id);
    }

    // --- what a successful call leaves

    void created(String id) {
        containers.put(id, Status.CREATED);
    }

    void started(String id) {
        containers.put(id, Status.RUNNING);
    }

    /** Whether {@code signal} ends the container's init in this mode and status. */
    boolean fatal(int signal) {
        if (signal == 9) {
            return true;
        }
        // The init of a pid namespace gets only the signals it handles, SIGKILL and SIGSTOP aside;
        // sleep handles none. Without a pid namespace (exec mode) the default actions apply.
        return !mode.pidNamespace() && DEFAULT_ACTION_ENDS.contains(signal);
    }

    /** HUP, INT, QUIT, ILL, TRAP, ABRT, BUS, FPE, KILL, USR1, SEGV, USR2, PIPE, ALRM, TERM (signal(7): Term or Core). */
    private static final java.util.Set<Integer> DEFAULT_ACTION_ENDS = java.util.Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    void killed(String id, int signal) {
        if (fatal(signal)) {
            containers.put(id, Status.STOPPED);
        }
    }

    void deleted(String id) {
        containers.remove(id);
    }

    /** A foreground run of a program that exits: gone afterwards, or stopped with --keep and in exec mode. */
    void ranToCompletion(String id, boolean keep) {
        if (keep || mode == Mode.EXEC) {
            containers.put(id, Status.STOPPED);
        }
    }

    @Override
    public String toString() {
        return mode + " " + containers;
    }
}
