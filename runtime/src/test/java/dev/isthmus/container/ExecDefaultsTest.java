package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.Capabilities;
import dev.isthmus.spec.Process;
import dev.isthmus.spec.Rlimit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an exec'd process takes from the container's own process (as runc exec's newInitConfig). */
class ExecDefaultsTest {
    private static final Capabilities KILL_ONLY = new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of(),
            List.of("CAP_KILL"), List.of());

    private static final Process INIT = new Process(false, null, null, List.of("sleep", "300"), null, List.of(), "/", KILL_ONLY,
            List.of(new Rlimit("RLIMIT_NOFILE", 888, 777)), true, "container-profile", 345, "system_u:system_r:container_t:s0",
            null, null, null);

    private static Process exec(Capabilities caps, List<Rlimit> rlimits, String apparmor, Integer oom, String label) {
        return new Process(false, null, null, List.of("sh"), null, List.of(), "/", caps, rlimits, false, apparmor, oom, label,
                null, null, null);
    }

    @Test
    void aProcessThatSaysNothingIsConfinedAndLimitedAsTheInit() {
        Process p = Lifecycle.withContainerDefaults(exec(null, List.of(), null, null, null), INIT);
        assertEquals(KILL_ONLY, p.capabilities());
        assertTrue(p.noNewPrivileges());
        assertEquals("container-profile", p.apparmorProfile(), "not unconfined");
        assertEquals("system_u:system_r:container_t:s0", p.selinuxLabel(), "not the runtime's label");
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 888, 777)), p.rlimits(), "not the caller's limits");
        assertEquals(345, p.oomScoreAdj());
        assertEquals(List.of("sh"), p.args());
        // an empty string is no profile of its own either
        assertEquals("container-profile", Lifecycle.withContainerDefaults(exec(null, List.of(), "", null, ""), INIT).apparmorProfile());
    }

    @Test
    void execsCapAddsToBoundingEffectiveAndPermittedAndToAmbientOnlyWithInheritableOnes() {
        Process p = Lifecycle.withAddedCapabilities(Lifecycle.withContainerDefaults(exec(null, List.of(), null, null, null), INIT),
                List.of("CAP_SYS_ADMIN", "CAP_KILL"));
        assertEquals(new Capabilities(List.of("CAP_KILL", "CAP_SYS_ADMIN"), List.of("CAP_KILL", "CAP_SYS_ADMIN"), List.of(),
                List.of("CAP_KILL", "CAP_SYS_ADMIN"), List.of()), p.capabilities());
        Capabilities withInheritable = new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL"),
                List.of("CAP_KILL"), List.of("CAP_KILL"));
        p = Lifecycle.withAddedCapabilities(exec(withInheritable, List.of(), null, null, null), List.of("CAP_CHOWN"));
        assertEquals(List.of("CAP_KILL", "CAP_CHOWN"), p.capabilities().ambient());
        assertEquals(List.of("CAP_KILL"), p.capabilities().inheritable(), "--cap adds no inheritable capability");
        // none: the process is unchanged
        Process same = exec(null, List.of(), null, null, null);
        assertEquals(same, Lifecycle.withAddedCapabilities(same, List.of()));
    }

    @Test
    void whatTheProcessSetsItselfWins() {
        Capabilities none = new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of());
        List<Rlimit> own = List.of(new Rlimit("RLIMIT_NPROC", 10, 10));
        Process p = Lifecycle.withContainerDefaults(exec(none, own, "exec-profile", -5, "exec-label"), INIT);
        assertEquals(none, p.capabilities());
        assertEquals(own, p.rlimits());
        assertEquals("exec-profile", p.apparmorProfile());
        assertEquals(-5, p.oomScoreAdj());
        assertEquals("exec-label", p.selinuxLabel());
        assertTrue(p.noNewPrivileges(), "no_new_privs of the init is never dropped");
    }
}
