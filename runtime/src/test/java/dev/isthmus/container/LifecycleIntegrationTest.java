package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create, start, state, kill and delete through the CLI, on real containers (root, static busybox). */
class LifecycleIntegrationTest {

    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    private Path bundle(List<String> args) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        Bundles.busyboxRootfs(b);
        return Bundles.write(b, Bundles.config(args, "lc", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]", "", ""));
    }

    private Cli.Result cli(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = tmp.resolve("state").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        // The parked init keeps create's stdio: give it files, not the pipes Cli reads to EOF.
        return Cli.run(Cli.builder(all).redirectInput(new File("/dev/null"))
                .redirectOutput(tmp.resolve("out-" + args[0]).toFile()).redirectError(tmp.resolve("err-" + args[0]).toFile()));
    }

    private String out(String verb) throws Exception {
        return Files.readString(tmp.resolve("out-" + verb)) + Files.readString(tmp.resolve("err-" + verb));
    }

    private String status(String id) throws Exception {
        assertEquals(0, cli("state", id).status(), out("state"));
        Matcher m = STATUS.matcher(out("state"));
        assertTrue(m.find(), out("state"));
        return m.group(1);
    }

    @Test
    void fullLifecycleAndTheStatusTable() throws Exception {
        Path b = bundle(List.of("sleep", "60"));
        Path pidFile = tmp.resolve("init.pid");
        assertEquals(0, cli("create", "-b", b.toString(), "--pid-file", pidFile.toString(), "c1").status(), out("create"));
        assertEquals("created", status("c1"));
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        Matcher pm = PID.matcher(out("state"));
        assertTrue(pm.find());
        assertEquals(pid, Integer.parseInt(pm.group(1)), "state and --pid-file agree");
        // The parked init is the small memfd image, not a copy of the JVM.
        assertTrue(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString().contains("memfd:isthmus-init"));
        long rssKiB = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        assertTrue(rssKiB >= 0 && rssKiB < 1024, "the parked init holds " + rssKiB + " KiB");

        assertEquals(0, cli("start", "c1").status(), out("start"));
        assertEquals("running", status("c1"));
        assertTrue(Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline")).startsWith("sleep"), "the init became the program");

        // refused: start when not created, delete when running; nothing changes
        assertEquals(1, cli("start", "c1").status());
        assertTrue(out("start").contains("it is running, not created"), out("start"));
        assertEquals(1, cli("delete", "c1").status());
        assertTrue(out("delete").contains("--force"), out("delete"));
        assertEquals("running", status("c1"));

        assertEquals(0, cli("kill", "c1", "KILL").status(), out("kill"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!status("c1").equals("stopped") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("stopped", status("c1"));
        assertEquals(1, cli("kill", "c1").status(), "kill on a stopped container is an error");
        assertTrue(out("kill").contains("stopped"), out("kill"));

        assertEquals(0, cli("delete", "c1").status(), out("delete"));
        assertFalse(Files.exists(tmp.resolve("state/c1")));
        assertEquals(1, cli("state", "c1").status());
        assertTrue(out("state").contains("does not exist"), out("state"));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void deletingACreatedContainerEndsItsInitAndDuplicateIdsAreRefused() throws Exception {
        Path b = bundle(List.of("true"));
        assertEquals(0, cli("create", "-b", b.toString(), "c2").status(), out("create"));
        assertEquals(1, cli("create", "-b", b.toString(), "c2").status());
        assertTrue(out("create").contains("already exists"), out("create"));
        assertEquals("created", status("c2"));
        assertEquals(0, cli("delete", "c2").status(), out("delete"));
        assertFalse(Files.exists(tmp.resolve("state/c2")));
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void aCreateThatFailsLeavesNothing() throws Exception {
        Path b = bundle(List.of("true"));
        // a bind mount whose source does not exist fails in the child, after clone
        Bundles.write(b, Bundles.config(List.of("true"), "lc", true, "[{\"type\": \"mount\"}, {\"type\": \"uts\"}]",
                ", {\"destination\": \"/mnt/x\", \"type\": \"bind\", \"source\": \"/no/such/source\", \"options\": [\"bind\"]}", ""));
        Cli.Result r = cli("create", "-b", b.toString(), "c3");
        assertEquals(1, r.status());
        assertTrue(out("create").contains("bind /no/such/source on /mnt/x: ENOENT"), out("create"));
        assertFalse(Files.exists(tmp.resolve("state/c3")), "no state left");
        RunIntegrationTest.assertNothingLeft(b);
    }
}
