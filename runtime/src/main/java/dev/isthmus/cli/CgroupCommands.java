package dev.isthmus.cli;

import dev.isthmus.cgroup.Cgroup;
import dev.isthmus.container.StateStore;

/** What pause, resume, update and events share: the container's record, status and recorded cgroup. */
final class CgroupCommands {
    private CgroupCommands() {}

    /** A refusal, printed as "isthmus: message" with exit status 1. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    record Target(StateStore.Record record, String status, Cgroup cgroup) {}

    /**
     * The container named by {@code arg} (an ID, or with --id-from-bundle a bundle): its record,
     * status, and cgroup (Refused when it has none).
     */
    static Target target(Main main, String arg) throws Refused, java.io.IOException {
        String id = main.id(arg);
        StateStore store = main.store();
        StateStore.Record r;
        try {
            r = store.load(id);
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        Cgroup cg = Cgroup.load(store.dir(id));
        if (cg == null) {
            throw new Refused("container " + id + " has no cgroup recorded (made by an isthmus without cgroup support, an exec-mode"
                    + " container not started yet, or a rootless container where this user may write no cgroup hierarchy)");
        }
        return new Target(r, store.status(r), cg);
    }

    /** pause and resume: {@code change} on the cgroup of the container {@code arg}, which must be {@code needed}. */
    static int change(Main main, String arg, String verb, String needed, Change change) throws Exception {
        return run(() -> {
            Target t = target(main, arg);
            if (!t.status().equals(needed)) {
                throw new Refused("cannot " + verb + " container " + t.record().id() + ": it is " + t.status() + ", not " + needed);
            }
            change.apply(t.cgroup());
        });
    }

    @FunctionalInterface
    interface Change {
        void apply(Cgroup cgroup) throws Exception;
    }

    static int run(Op op) throws Exception {
        try {
            op.run();
            return 0;
        } catch (Refused e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        }
    }

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }
}
