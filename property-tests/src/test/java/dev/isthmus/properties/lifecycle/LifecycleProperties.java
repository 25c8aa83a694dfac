package dev.isthmus.properties.lifecycle;

import dev.isthmus.properties.lifecycle.LifecycleModel.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

/**
 * The OCI lifecycle, driven through the real CLI on real containers, against
 * {@link LifecycleModel}: random chains of create, start, state, kill (names, numbers, invalid
 * signals, --all), delete (with and without --force), exec, ps and run, in each state mode.
 * After every call: its exit status and answer match the model, `list` shows exactly the model's
 * containers and statuses, and a refused call changed nothing (state files, container processes,
 * mounts, cgroups). At the end of every try: delete --force of everything succeeds and nothing is
 * left. A failure shrinks to the shortest chain of calls that still fails; jqwik prints it as
 * the list of CLI calls.
 *
 * <p>Tries: {@code -Disthmus.props.tries=N} (default {@link LifecycleTries#DEFAULT_TRIES}), chain
 * length {@code -Disthmus.props.steps=N}. Needs root and a static busybox; skipped otherwise.
 */
@AddLifecycleHook(LifecycleTries.class)
class LifecycleProperties {

    /**
     * Every harness the chains' supplier made (jqwik may call it more than once per try, e.g.
     * while it generates and reports), so that each is destroyed even when its chain fails.
     */
    private static final java.util.List<LifecycleHarness> MADE = java.util.Collections.synchronizedList(new ArrayList<>());

    @Property
    void specMode(@ForAll("specChains") ActionChain<LifecycleHarness> chain) {
        runAndCheckNothingLeaked(chain);
    }

    @Property
    void bundleMode(@ForAll("bundleChains") ActionChain<LifecycleHarness> chain) {
        runAndCheckNothingLeaked(chain);
    }

    @Property
    void execMode(@ForAll("execChains") ActionChain<LifecycleHarness> chain) {
        runAndCheckNothingLeaked(chain);
    }

    private static void runAndCheckNothingLeaked(ActionChain<LifecycleHarness> chain) {
        try {
            LifecycleHarness h = chain.run();
            h.deleteAllAndCheckNothingLeaked();
        } finally {
            synchronized (MADE) {
                MADE.forEach(LifecycleHarness::destroy);
                MADE.clear();
            }
        }
    }

    @Provide
    Arbitrary<ActionChain<LifecycleHarness>> specChains() {
        return createStartChains(Mode.SPEC);
    }

    @Provide
    Arbitrary<ActionChain<LifecycleHarness>> bundleChains() {
        return createStartChains(Mode.BUNDLE);
    }

    @Provide
    Arbitrary<ActionChain<LifecycleHarness>> execChains() {
        return start(Mode.EXEC)
                .withAction(3, action(ids().map(Call.ExecModeRun::new)))
                .withAction(3, action(ids().map(Call.Create::new)))
                .withAction(3, action(ids().map(Call.Start::new)))
                .withAction(1, action(ids().map(id -> new Call.RunToCompletion(id, false))))
                .withAction(1, action(ids().map(Call.RunDetached::new))) // refused in exec mode
                .withAction(4, action(kills()))
                .withAction(3, action(deletes()))
                .withAction(2, action(ids().map(Call.State::new)))
                .withAction(1, action(execs()))
                .withAction(1, action(ids().map(Call.Ps::new)))
                .withMaxTransformations(LifecycleTries.steps());
    }

    private static ActionChainArbitrary<LifecycleHarness> createStartChains(Mode mode) {
        return start(mode)
                .withAction(4, action(ids().map(Call.Create::new)))
                .withAction(4, action(ids().map(Call.Start::new)))
                .withAction(4, action(kills()))
                .withAction(3, action(deletes()))
                .withAction(2, action(ids().map(Call.State::new)))
                .withAction(1, action(execs()))
                .withAction(1, action(ids().map(Call.Ps::new)))
                .withAction(1, action(ids().map(Call.RunDetached::new)))
                .withAction(1, action(Arbitraries.oneOf(ids().map(id -> new Call.RunToCompletion(id, false)),
                        ids().map(id -> new Call.RunToCompletion(id, true)))))
                .withAction(1, action(net.jqwik.api.Combinators.combine(ids(), Arbitraries.of(false, true),
                        Arbitraries.integers().between(0, 800)).as(Call.KillRuntimeMidCall::new)))
                .withMaxTransformations(LifecycleTries.steps());
    }

    private static ActionChainArbitrary<LifecycleHarness> start(Mode mode) {
        return ActionChain.startWith(() -> {
            LifecycleHarness h = new LifecycleHarness(mode);
            MADE.add(h);
            return h;
        });
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.of(LifecycleHarness.IDS);
    }

    /** Names and numbers, fatal or not to a pid namespace's init, and some isthmus must reject. */
    private static Arbitrary<Call> kills() {
        Arbitrary<String> signals = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.of("KILL", "SIGKILL", "9")),
                net.jqwik.api.Tuple.of(4, Arbitraries.of("TERM", "SIGTERM", "15", "INT", "HUP", "USR1")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("NOPE", "0", "65", "SIGRTMAX+1")));
        return net.jqwik.api.Combinators.combine(ids(), signals, Arbitraries.of(false, true)).as(Call.Kill::new);
    }

    private static Arbitrary<Call> deletes() {
        return net.jqwik.api.Combinators.combine(ids(), Arbitraries.of(false, true)).as(Call.Delete::new);
    }

    private static Arbitrary<Call> execs() {
        return net.jqwik.api.Combinators.combine(ids(), Arbitraries.integers().between(0, 9)).as(Call.Exec::new);
    }

    private static Action.Dependent<LifecycleHarness> action(Arbitrary<? extends Call> calls) {
        return h -> calls.map(c -> Transformer.mutate(c.describe(h), state -> step(state, c)));
    }

    /** One call, checked against the model. */
    static void step(LifecycleHarness h, Call c) {
        boolean allowed = c.allowed(h.model);
        String before = h.model.toString();
        LifecycleHarness.Snapshot snapshot = allowed ? null : h.snapshot();
        IsthmusCli.Result r = c.invoke(h);
        if (allowed) {
            c.accept(h, r);
        } else {
            if (r.ok() || !r.err().contains("isthmus:")) {
                throw new AssertionError(c.describe(h) + ": the model (" + before + ") refuses it, so it must fail with an "
                        + "'isthmus: ...' message; got " + r);
            }
            LifecycleHarness.Snapshot after = h.snapshot();
            if (!snapshot.equals(after)) {
                throw new AssertionError(c.describe(h) + " was refused (" + r + ") but changed " + difference(snapshot, after));
            }
        }
        Map<String, String> listed = h.listed();
        Map<String, String> expected = h.expectedListing();
        if (!listed.equals(expected)) {
            throw new AssertionError("after " + c.describe(h) + " (" + r + "), list shows " + listed + " where the model has " + expected);
        }
    }

    private static String difference(LifecycleHarness.Snapshot a, LifecycleHarness.Snapshot b) {
        List<String> out = new ArrayList<>();
        for (String k : new TreeSet<>(union(a.files().keySet(), b.files().keySet()))) {
            if (!Objects.equals(a.files().get(k), b.files().get(k))) {
                out.add(k + ": " + a.files().get(k) + " -> " + b.files().get(k));
            }
        }
        if (!a.processes().equals(b.processes())) {
            out.add("container processes " + a.processes() + " -> " + b.processes());
        }
        if (!a.mounts().equals(b.mounts())) {
            out.add("mounts " + a.mounts() + " -> " + b.mounts());
        }
        if (!a.cgroups().equals(b.cgroups())) {
            out.add("cgroups " + a.cgroups() + " -> " + b.cgroups());
        }
        return String.join("; ", out);
    }

    private static <T> java.util.Set<T> union(java.util.Set<T> a, java.util.Set<T> b) {
        java.util.Set<T> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
