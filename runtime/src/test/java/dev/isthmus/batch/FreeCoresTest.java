package dev.isthmus.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The default -j: two per free core, at least two. */
class FreeCoresTest {

    @Test
    void twoPerFreeCoreAndNeverFewerThanTwo() {
        assertEquals(4, FreeCores.jobsFor(2.0), "a quiet 2-core machine");
        assertEquals(2, FreeCores.jobsFor(0.0), "every core busy with other work");
        assertEquals(2, FreeCores.jobsFor(0.6));
        assertEquals(3, FreeCores.jobsFor(1.4));
        assertEquals(16, FreeCores.jobsFor(8.0));
    }

    @Test
    void theSampleIsAShareOfThisMachinesCores() {
        double free = FreeCores.now();
        assertTrue(free >= 0 && free <= Runtime.getRuntime().availableProcessors() + 1e-9, "free cores: " + free);
    }
}
