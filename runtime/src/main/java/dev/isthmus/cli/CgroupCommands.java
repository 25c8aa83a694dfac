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

    /** The container {@code id}: its record, status, and cgroup (Refused when it has none). */
    static Target target(StateStore store, String id) throws Refused, java.io.IOException {
        StateStore.Record r;
        try {
            r = store.load(id);
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        Cgroup cg = Cgroup.load(store.dir(id));
        if (cg == null) {
            throw new Refused("container " + id + " has no cgroup recorded (made by an isthmus without cgroup support, or in exec mode)");
        }
        return new Target(r, store.status(r), cg);
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
