package dev.isthmus.properties.lifecycle;

import dev.isthmus.properties.lifecycle.LifecycleModel.Mode;
import dev.isthmus.properties.lifecycle.LifecycleModel.Status;
import dev.isthmus.spec.Signals;
import java.util.ArrayList;
import java.util.List;

/**
 * One CLI call of a lifecycle chain: its arguments ({@code @name} stands for a bundle of the
 * try), whether the model allows it, and what a successful call must answer and leave.
 */
sealed interface Call {

    List<String> args();

    boolean allowed(LifecycleModel model);

    /** Runs the call (most in the foreground). */
    default IsthmusCli.Result invoke(LifecycleHarness h) {
        return h.call(args());
    }

    /** For an allowed call: checks its answer against the model, then moves the model on. */
    void accept(LifecycleHarness h, IsthmusCli.Result r);

    /** The call as typed (what a counterexample shows). */
    default String describe(LifecycleHarness h) {
        return h.describe(args());
    }

    /** After start: the init execs the program once the FIFO byte arrives; waits until it has (its comm changes). */
    static void awaitProgram(LifecycleHarness h, String id, IsthmusCli.Result r) {
        int pid = h.recordedPid(id);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!LifecycleHarness.comm(pid).equals("sleep") && System.nanoTime() < deadline) {
            LifecycleHarness.sleep(5);
        }
        expect(LifecycleHarness.comm(pid).equals("sleep"), "after start, the init (pid " + pid + ") must be the container's program", r);
    }

    static void expect(boolean ok, String what, IsthmusCli.Result r) {
        if (!ok) {
            throw new AssertionError(what + "; got " + r);
        }
    }

    record Create(String id) implements Call {
        public List<String> args() {
            return List.of("create", "-b", "@" + id + "-long", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.createAllowed(id);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "create of a new container must succeed", r);
            h.model.created(id);
            h.rememberNamespace(id);
        }
    }

    record Start(String id) implements Call {
        public List<String> args() {
            return List.of("start", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.startAllowed(id);
        }

        /** In exec mode start becomes the container: run in the background until it has. */
        @Override
        public IsthmusCli.Result invoke(LifecycleHarness h) {
            return h.model.mode == Mode.EXEC ? h.startExecModeRun(id, args()) : h.call(args());
        }

        @Override
        public String describe(LifecycleHarness h) {
            return h.describe(args()) + (h.model.mode == Mode.EXEC ? " &" : "");
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "start of a created container must succeed", r);
            h.model.started(id);
            if (h.model.mode == Mode.EXEC) {
                h.rememberNamespace(id); // the start process is the container now
            } else {
                awaitProgram(h, id, r);
            }
        }
    }

    record State(String id) implements Call {
        public List<String> args() {
            return List.of("state", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.stateAllowed(id);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            Status s = h.model.status(id);
            expect(r.ok(), "state of an existing container must succeed", r);
            expect(r.out().contains("\"id\": \"" + id + "\"") || r.out().contains("\"id\":\"" + id + "\""), "state must name " + id, r);
            expect(r.out().matches("(?s).*\"status\"\\s*:\\s*\"" + s.json() + "\".*"), "state must say " + s.json(), r);
            int pid = h.recordedPid(id);
            boolean pidShown = r.out().matches("(?s).*\"pid\"\\s*:\\s*" + pid + "\\b.*");
            if (h.model.noProcessYet(id)) {
                expect(pid == 0 && pidShown, "an exec-mode container that is created has no process: pid 0", r);
                return;
            }
            expect(s == Status.STOPPED ? !pidShown || pid == 0 : pidShown && pid > 0,
                    s == Status.STOPPED ? "a stopped container's state shows no pid" : "state must show the init's pid " + pid, r);
        }
    }

    /** {@code signal} as typed; {@code number} is what it means, -1 for a name isthmus must reject. */
    record Kill(String id, String signal, boolean all) implements Call {
        int number() {
            try {
                return Signals.parse(signal);
            } catch (IllegalArgumentException e) {
                return -1;
            }
        }

        public List<String> args() {
            List<String> a = new ArrayList<>(List.of("kill"));
            if (all) {
                a.add("--all");
            }
            a.add(id);
            a.add(signal);
            return a;
        }

        public boolean allowed(LifecycleModel m) {
            return m.killAllowed(id, number());
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "kill " + signal + " of a " + h.model.status(id).json() + " container must succeed", r);
            int pid = h.recordedPid(id);
            boolean fatal = h.model.fatal(number());
            h.model.killed(id, number());
            if (fatal) {
                h.awaitEnd(pid);
            } else {
                LifecycleHarness.sleep(100); // a wrongly fatal signal shows in the listing that follows
            }
        }
    }

    record Delete(String id, boolean force) implements Call {
        public List<String> args() {
            return force ? List.of("delete", "--force", id) : List.of("delete", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.deleteAllowed(id, force);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "delete" + (force ? " --force" : "") + " must succeed here", r);
            h.model.deleted(id);
        }
    }

    /**
     * The runtime killed mid-call: {@code create} (or {@code run -d}) of a new container gets
     * SIGKILL after {@code delayMillis}, wherever it is, and {@code delete --force} follows. The
     * model expects the container gone and nothing of it left: no state, cgroup or parked init
     * (DESIGN.md: what create makes is recorded before it is made). Where the model refuses the
     * call (the container exists), only the call itself runs, and is refused as usual.
     */
    record KillRuntimeMidCall(String id, boolean run, int delayMillis) implements Call {
        public List<String> args() {
            return run ? List.of("run", "-d", "-b", "@" + id + "-long", id) : List.of("create", "-b", "@" + id + "-long", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.mode != Mode.EXEC && m.createAllowed(id);
        }

        @Override
        public IsthmusCli.Result invoke(LifecycleHarness h) {
            return allowed(h.model) ? h.killMidCall(id, args(), delayMillis) : h.call(args());
        }

        @Override
        public String describe(LifecycleHarness h) {
            return h.describe(args()) + " & sleep " + delayMillis / 1000.0 + "; kill -9 $!; " + h.describe(List.of("delete", "--force", id));
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "delete --force after a killed " + args().getFirst() + " must succeed", r);
            h.model.deleted(id);
            List<String> left = h.leftoversOf(id);
            expect(left.isEmpty(), "after a killed " + args().getFirst() + " and delete --force, nothing of " + id
                    + " may be left: " + left, r);
        }
    }

    /** exec of {@code sh -c "exit N"}: its exit status is the answer. */
    record Exec(String id, int exit) implements Call {
        public List<String> args() {
            return List.of("exec", id, "--", "sh", "-c", "exit " + exit);
        }

        public boolean allowed(LifecycleModel m) {
            return m.execAllowed(id);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.status() == exit, "exec in a running container must return the process's exit status " + exit, r);
        }
    }

    record Ps(String id) implements Call {
        public List<String> args() {
            return List.of("ps", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.psAllowed(id);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "ps of an existing container must succeed", r);
            int pid = h.recordedPid(id);
            boolean listed = r.out().matches("(?s)(.*\\n)?" + pid + "\\s.*");
            Status s = h.model.status(id);
            if (h.model.noProcessYet(id)) {
                expect(r.out().lines().count() == 1, "an exec-mode container that is created has no process to list", r);
                return;
            }
            expect(s == Status.STOPPED ? !listed : listed,
                    s == Status.STOPPED ? "ps of a stopped container lists no process" : "ps must list the init " + pid, r);
        }
    }

    /** run -d (spec and bundle modes: create and start; exec mode refuses -d). */
    record RunDetached(String id) implements Call {
        public List<String> args() {
            return List.of("run", "-d", "-b", "@" + id + "-long", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.mode != Mode.EXEC && m.runAllowed(id);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "run -d of a new container must succeed", r);
            h.model.created(id);
            h.model.started(id);
            h.rememberNamespace(id);
            awaitProgram(h, id, r);
        }
    }

    /** A foreground run of {@code sh -c "exit 3"}: its status is the answer. */
    record RunToCompletion(String id, boolean keep) implements Call {
        public List<String> args() {
            List<String> a = new ArrayList<>(List.of("run"));
            if (keep) {
                a.add("--keep");
            }
            a.addAll(List.of("-b", "@" + id + "-short", id));
            return a;
        }

        public boolean allowed(LifecycleModel m) {
            return m.runAllowed(id) && !(keep && m.mode == Mode.EXEC);
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.status() == LifecycleHarness.SHORT_EXIT, "run must return the program's exit status " + LifecycleHarness.SHORT_EXIT, r);
            h.model.ranToCompletion(id, keep);
        }
    }

    /** Exec mode: `isthmus run` becomes the long-lived container, so it runs in the background. */
    record ExecModeRun(String id) implements Call {
        public List<String> args() {
            return List.of("run", "-b", "@" + id + "-long", id);
        }

        public boolean allowed(LifecycleModel m) {
            return m.runAllowed(id);
        }

        @Override
        public IsthmusCli.Result invoke(LifecycleHarness h) {
            return h.startExecModeRun(id, args());
        }

        @Override
        public String describe(LifecycleHarness h) {
            return h.describe(args()) + " &";
        }

        public void accept(LifecycleHarness h, IsthmusCli.Result r) {
            expect(r.ok(), "run of a new container must become it", r);
            h.model.created(id);
            h.model.started(id);
            h.rememberNamespace(id);
        }
    }
}
