package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateless-runtime pieces: the emptiness test of containers without a pid namespace of their
 * own, exec-mode create and start, --allow-unknown-status and --id-from-bundle (root, static busybox).
 */
class StatelessModesIntegrationTest {
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
    /** Mount and uts namespaces, no pid namespace: the kernel does not end the rest with the init. */
    private static final String NO_PIDNS = "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]";
    /** The init forks a daemon that is reparented away from it, then ends after a second. */
    private static final List<String> DAEMON_OUTLIVES_INIT = List.of("sh", "-c", "(sh -c 'sleep 300 &' &); exec sleep 1");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    private Cli.Result cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        return Cli.runToFiles(tmp.resolve("cli.out"), tmp.resolve("cli.err"), all.toArray(String[]::new));
    }

    private Path bundle(String config) throws IOException {
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Bundles.busyboxRootfs(b);
        }
        return Bundles.write(b, config);
    }

    private static String field(Pattern p, Cli.Result r) {
        Matcher m = p.matcher(r.out());
        assertTrue(m.find(), r::toString);
        return m.group(1);
    }

    /** Whether this process can read every /proc/PID/ns/mnt (on this host /proc/1's is EACCES even for root). */
    private static boolean procFullyReadable() throws IOException {
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    Files.readSymbolicLink(p.resolve("ns/mnt"));
                } catch (AccessDeniedException e) {
                    return false;
                } catch (IOException e) {
                    // ended, or a zombie: not a process that can be in a namespace
                }
            }
        }
        return true;
    }

    @Test
    void withoutAPidNamespaceItIsStoppedOnlyWhenNoProcessOfItsMountNamespaceRemains() throws Exception {
        Path b = bundle(Bundles.config(DAEMON_OUTLIVES_INIT, "sl", true, NO_PIDNS, "", ""));
        assertEquals(0, cli("create", "-b", b.toString(), "e1").status());
        assertEquals(0, cli("start", "e1").status());
        Bundles.waitForContainerProcesses(1); // the init (sleep 1) has ended; its daemon lives on
        Cli.Result st = cli("state", "e1");
        assertEquals("running", field(STATUS, st), "a process of the container remains: " + st);
        Cli.Result kill = cli("kill", "e1", "TERM");
        assertEquals(1, kill.status(), kill::toString);
        assertTrue(kill.err().contains("signal them with kill --all"), kill::toString);
        assertEquals(1, cli("delete", "e1").status(), "a running container is not deleted without --force");
        assertEquals(0, cli("kill", "--all", "e1", "KILL").status());
        Bundles.waitForContainerProcesses(0);
        assertEquals("stopped", field(STATUS, cli("state", "e1")));
        // Its cgroup decides: empty, so stopped even where /proc cannot be read in full
        assertEquals("stopped", field(STATUS, cli("state", "--allow-unknown-status", "e1")));
        // Without a recorded cgroup the namespace scan decides, undecided when some /proc entry
        // could not be read: then unknown, if asked for (the record is put back for delete)
        Path record = tmp.resolve("state/e1/cgroup");
        Path aside = tmp.resolve("cgroup-record");
        Files.move(record, aside);
        String expected = procFullyReadable() ? "stopped" : "unknown";
        assertEquals(expected, field(STATUS, cli("state", "--allow-unknown-status", "e1")));
        assertEquals("stopped", field(STATUS, cli("state", "e1")));
        Files.move(aside, record);
        assertEquals(0, cli("delete", "e1").status());
        assertFalse(Files.exists(tmp.resolve("state/e1")));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void deleteForceEndsWhatRemainsOfAContainerWithoutAPidNamespace() throws Exception {
        Path b = bundle(Bundles.config(DAEMON_OUTLIVES_INIT, "sl", true, NO_PIDNS, "", ""));
        assertEquals(0, cli("create", "-b", b.toString(), "e2").status());
        assertEquals(0, cli("start", "e2").status());
        Bundles.waitForContainerProcesses(1);
        Cli.Result del = cli("delete", "--force", "e2");
        assertEquals(0, del.status(), del::toString);
        assertEquals(0, Bundles.processesWithEnv("SECRET_TOKEN=hunter2").size(), "delete returns once the daemon is gone");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void execModeCreateRecordsAndStartRunsTheCreateHooksThenBecomesTheProgram() throws Exception {
        Path log = tmp.resolve("hooks.log");
        String hooks = """
                , "hooks": {
                  "prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo prestart $(cat) >> %1$s"]}],
                  "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createRuntime >> %1$s"]}],
                  "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createContainer >> %1$s"]}],
                  "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo startContainer >> %1$s"]}]
                }""".formatted(log);
        String json = Bundles.config(List.of("sh", "-c", "echo $$; hostname; exec sleep 1"), "xm", true, NO_PIDNS, "", "");
        Path b = bundle(json.substring(0, json.lastIndexOf('}')) + hooks + "}");
        assertEquals(0, cli("--state-mode=exec", "create", "-b", b.toString(), "x1").status());
        Cli.Result created = cli("state", "x1");
        assertEquals("created", field(STATUS, created));
        assertEquals("0", field(PID, created), "no process exists before start");
        assertFalse(Files.exists(log), "create runs no hook: they run at start");
        Cli.Result kill = cli("kill", "x1", "KILL");
        assertEquals(1, kill.status());
        assertTrue(kill.err().contains("no process until start"), kill::toString);

        Process p = Cli.builder("--root", tmp.resolve("state").toString(), "--state-mode=exec", "start", "x1")
                .redirectInput(new File("/dev/null")).redirectError(tmp.resolve("err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertEquals(Long.toString(p.pid()), out.readLine(), "the program runs under the pid of the process that ran start");
        assertEquals("xm", out.readLine());
        Cli.Result running = cli("state", "x1");
        assertEquals("running", field(STATUS, running));
        assertEquals(Long.toString(p.pid()), field(PID, running));
        assertEquals(List.of(p.pid()), Bundles.processesWithEnv("SECRET_TOKEN=hunter2"), "no process but the user's");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("err")));
        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer"),
                lines.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(lines.get(0).replace(" ", "").contains("\"pid\":" + p.pid()), "the hooks' state names the container's process: " + lines);
        assertEquals("stopped", field(STATUS, cli("state", "x1")));
        assertEquals(1, cli("--state-mode=exec", "start", "x1").status(), "a stopped container does not start again");
        assertEquals(0, cli("delete", "x1").status());
        assertFalse(Files.exists(tmp.resolve("state/x1")));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void execModeRefusesPoststartHooksAtCreateAndRecordsNothing() throws Exception {
        String json = Bundles.config(List.of("true"), "xm", true, NO_PIDNS, "", "");
        Path b = bundle(json.substring(0, json.lastIndexOf('}'))
                + ", \"hooks\": {\"poststart\": [{\"path\": \"/bin/true\"}]}}");
        Cli.Result r = cli("--state-mode=exec", "create", "-b", b.toString(), "x2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("hooks.poststart: cannot run in --state-mode=exec"), r::toString);
        assertFalse(Files.exists(tmp.resolve("state/x2")), "nothing recorded");
    }

    @Test
    void idFromBundleNamesTheContainerByItsBundle() throws Exception {
        Path b = bundle(Bundles.config(List.of("sleep", "30"), "sl", true, NO_PIDNS, "", ""));
        String id = ContainerId.fromBundle(b);
        assertTrue(id.matches("bundle-[0-9a-f]{12}"), id);
        assertEquals(0, cli("--id-from-bundle", "create", b.toString()).status());
        Cli.Result st = cli("--id-from-bundle", "state", b.toString());
        assertTrue(st.out().replace(" ", "").contains("\"id\":\"" + id + "\""), st::toString);
        assertEquals("created", field(STATUS, st));
        assertEquals(id, cli("list", "-q").out().strip(), "the same container under its derived ID");
        Cli.Result clash = cli("--id-from-bundle", "create", "-b", tmp.toString(), b.toString());
        assertEquals(2, clash.status(), "a --bundle that is not the ID argument is a usage error: " + clash);
        assertEquals(0, cli("--id-from-bundle", "start", b.toString()).status());
        Cli.Result pause = cli("--id-from-bundle", "pause", b.toString());
        assertEquals(0, pause.status(), "the cgroup commands take the bundle too: " + pause);
        assertEquals("paused", field(STATUS, cli("--id-from-bundle", "state", b.toString())));
        assertEquals(0, cli("--id-from-bundle", "resume", b.toString()).status());
        assertEquals("running", field(STATUS, cli("--id-from-bundle", "state", b.toString())));
        Cli.Result stats = cli("--id-from-bundle", "events", "--stats", b.toString());
        assertTrue(stats.out().replace(" ", "").contains("\"id\":\"" + id + "\""), stats::toString);
        assertEquals(0, cli("--id-from-bundle", "delete", "--force", b.toString()).status());
        assertFalse(Files.exists(tmp.resolve("state").resolve(id)));
        RunIntegrationTest.assertNothingLeft(b);
    }
}
