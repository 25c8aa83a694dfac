package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it (issue 15): help for every command, errors as sentences. */
class CommandLineTest {

    @TempDir
    Path tmp;

    private static final List<String> COMMANDS = List.of("run", "create", "start", "state", "kill", "delete", "exec", "list", "ps",
            "spec", "features", "batch", "bench", "update", "pause", "resume", "events");

    @Test
    void everyCommandTakesHelpAndExitsZero() throws Exception {
        // `run --help` exited 2 ("Missing required parameter") and `bench --help` said "Unknown option".
        for (String c : COMMANDS) {
            for (String flag : List.of("-h", "--help")) {
                Cli.Result r = Cli.run(c, flag);
                assertEquals(0, r.status(), c + " " + flag + ": " + r);
                assertTrue(r.out().startsWith("Usage: isthmus " + c), c + " " + flag + ": " + r);
            }
        }
    }

    @Test
    void fileErrorsNameTheFileAndTheReasonNeverAnExceptionName() throws Exception {
        // Were "isthmus: B/config.json:: cannot read the file (NoSuchFileException)" and a bare
        // "isthmus: /proc/nope" (a state root that cannot be made).
        Path missing = tmp.resolve("nobundle");
        Cli.Result r = Cli.run("run", "-b", missing.toString(), "x");
        assertEquals(1, r.status(), r::toString);
        assertEquals("isthmus: " + missing.resolve("config.json") + ": cannot read the file: No such file or directory", r.err().strip());

        Path bundle = java.nio.file.Files.createDirectories(tmp.resolve("b"));
        java.nio.file.Files.writeString(bundle.resolve("config.json"), dev.isthmus.testing.Bundles.config(List.of("true"), "x", false,
                dev.isthmus.testing.Bundles.DEFAULT_NAMESPACES, "", ""));
        r = Cli.runToFiles(tmp.resolve("c.out"), tmp.resolve("c.err"), "--root", "/proc/nope", "create", "-b", bundle.toString(), "y");
        String err = r.err().strip();
        assertEquals(1, r.status(), r::toString);
        assertTrue(err.startsWith("isthmus: /proc/nope") && err.endsWith(": No such file or directory") && err.lines().count() == 1,
                r::toString);
    }
}
