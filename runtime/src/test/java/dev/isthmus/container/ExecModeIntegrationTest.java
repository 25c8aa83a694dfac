package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --state-mode=exec: the process that runs `isthmus run` becomes the container (root, static busybox). */
class ExecModeIntegrationTest {

    private static final String NAMESPACES = "[{\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]";

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
    }

    private String root() {
        return tmp.resolve("state").toString();
    }

    private Path bundle(List<String> args, String namespaces, String linux) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path b = tmp.resolve("bundle");
        if (!Files.exists(b.resolve("rootfs"))) {
            Bundles.busyboxRootfs(b);
        }
        return Bundles.write(b, Bundles.config(args, "exec-mode", true, namespaces, "", linux));
    }

    @Test
    void runBecomesTheProgramAndLeavesNoRuntimeProcess() throws Exception {
        Path b = bundle(List.of("sh", "-c", "echo $$; hostname; exec sleep 2"), NAMESPACES, "");
        Process p = Cli.builder("--root", root(), "--state-mode=exec", "run", "-b", b.toString(), "em1").redirectInput(new File("/dev/null"))
                .redirectError(tmp.resolve("err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertEquals(Long.toString(p.pid()), out.readLine(), "the program runs under the pid of the process that ran isthmus");
        assertEquals("exec-mode", out.readLine());
        Thread.sleep(200); // sh has exec'd sleep by now
        String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        assertTrue(cmdline.startsWith("sleep"), "that process is the program now, not a JVM: " + cmdline);
        assertEquals(List.of(p.pid()), Bundles.processesWithEnv("SECRET_TOKEN=hunter2"), "no process but the user's");
        assertEquals(0, p.children().count(), "no helper process either");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("err")));
        // No runtime is left to remove the record: delete does (Slurm's RunTimeDelete)
        Cli.Result st = Cli.run("--root", root(), "state", "em1");
        assertTrue(st.out().replace(" ", "").contains("\"status\":\"stopped\""), st::toString);
        assertEquals(0, Cli.run("--root", root(), "delete", "em1").status());
        assertTrue(Files.list(tmp.resolve("state")).findAny().isEmpty(), "no state left");
        RunIntegrationTest.assertNothingLeft(b);
    }

    @Test
    void dryRunListsTheProgramAndRefusesWhatRunRefuses() throws Exception {
        Path b = bundle(List.of("true"), NAMESPACES, "");
        Cli.Result ok = Cli.run("--root", root(), "--state-mode=exec", "run", "--dry-run", "-b", b.toString(), "em-dry");
        assertEquals(0, ok.status(), ok::toString);
        assertTrue(ok.out().contains("unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWUTS)"), ok::toString);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json")).replace("\"terminal\": false", "\"terminal\": true"));
        Cli.Result refused = Cli.run("--root", root(), "--state-mode=exec", "run", "--dry-run", "-b", b.toString(), "em-dry");
        assertEquals(1, refused.status(), refused::toString);
        assertTrue(refused.err().contains("process.terminal: not supported in --state-mode=exec"), refused::toString);
        assertFalse(Files.exists(tmp.resolve("state/em-dry")), "a dry run records nothing");
    }

    @Test
    void aUserNamespaceMapsItself() throws Exception {
        String ns = "[{\"type\": \"user\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}]";
        // the process maps only itself (root here, host 0), as container 0: the config's user
        String linux = """
                , "uidMappings": [{"containerID": 0, "hostID": 0, "size": 1}],
                  "gidMappings": [{"containerID": 0, "hostID": 0, "size": 1}]""";
        Path b = bundle(List.of("sh", "-c", "cat /proc/self/uid_map; cat /proc/self/setgroups; exit 3"), ns, linux);
        Cli.Result r = Cli.run("--root", root(), "--state-mode", "exec", "run", "-b", b.toString(), "em2");
        assertEquals(3, r.status(), r::toString);
        assertEquals(0, Cli.run("--root", root(), "delete", "em2").status());
        List<String> lines = r.out().lines().map(String::strip).toList();
        assertEquals(List.of("0", "0", "1"), List.of(lines.get(0).split("\\s+")), r::toString);
        assertEquals("deny", lines.get(1), r::toString);

        // a range cannot be written by the process itself: refused before anything happens
        Bundles.write(b, Bundles.config(List.of("true"), "exec-mode", true, ns, "", """
                , "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]"""));
        r = Cli.run("--root", root(), "--state-mode", "exec", "run", "-b", b.toString(), "em2");
        assertEquals(1, r.status(), r::toString);
        assertTrue(Files.list(tmp.resolve("state")).findAny().isEmpty(), "a refused config records nothing");
        assertTrue(r.err().contains("linux.uidMappings: --state-mode=exec maps only the caller's own id"), r::toString);
    }

    @Test
    void aFailingStepIsToldOnStderrByTheImageWithStatus127() throws Exception {
        Path b = bundle(List.of("/bin/no-such-program"), NAMESPACES, "");
        Cli.Result r = Cli.run("--root", root(), "--state-mode=exec", "run", "-b", b.toString(), "em3");
        assertEquals(127, r.status(), r::toString);
        assertEquals(0, Cli.run("--root", root(), "delete", "em3").status(), "delete clears what the failed container left");
        assertTrue(r.err().contains("isthmus: exec /bin/no-such-program: ENOENT (No such file or directory)"), r::toString);
        RunIntegrationTest.assertNothingLeft(b);
    }
}
