package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of --preserve-fds' preparation that need no container (CveRegressionTest attacks the whole). */
class PreservedFdsTest {

    @Test
    void theRuntimesOwnFilesAreThoseUnderItsPlaces() {
        List<String> own = List.of("/opt/isthmus/lib/isthmus", "/usr/lib/jvm/jdk/");
        assertTrue(PreservedFds.runtimes("/opt/isthmus/lib/isthmus/lib/jackson-core.jar", own));
        assertTrue(PreservedFds.runtimes("/opt/isthmus/lib/isthmus", own));
        assertTrue(PreservedFds.runtimes("/usr/lib/jvm/jdk/lib/modules", own));
        assertFalse(PreservedFds.runtimes("/opt/isthmus/lib/isthmus2/data", own), "a prefix of a name is no parent");
        assertFalse(PreservedFds.runtimes("/etc/hostname", own));
        assertFalse(PreservedFds.runtimes("socket:[1234]", own));
    }

    @Test
    void thisJvmsPlacesHoldItsModulesImage() {
        List<String> own = PreservedFds.ownPlaces();
        String modules = Path.of(System.getProperty("java.home"), "lib", "modules").toString();
        assertTrue(own.stream().anyMatch(p -> modules.startsWith(p)), own::toString);
    }

    @Test
    void aRangePastTheOpenFileLimitIsRefusedBeforeAnythingChanges() {
        assertNull(PreservedFds.prepare(0));
        long limit = PreservedFds.softOpenFileLimit();
        assumeTrue(limit < Integer.MAX_VALUE - 3, "needs a finite RLIMIT_NOFILE");
        java.util.Set<Integer> before = PreservedFds.openFds();
        String why = PreservedFds.prepare((int) limit);
        assertEquals("fds 3 to " + (limit + 2) + " reach past the open-file limit (" + limit + ")", why);
        assertEquals(before, PreservedFds.openFds(), "no fd opened or closed");
    }
}
