package dev.isthmus.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerd's runc v2 shim driving isthmus through `ctr run --runc-binary`. containerd runs with
 * a private root, state directory and sockets, and is stopped afterwards (root; apt containerd).
 */
class ContainerdIntegrationTest {

    @TempDir
    static Path tmp;
    private static Daemons daemons;
    private static Path socket;
    private static Path runtime;
    private static Path rootfs;

    @BeforeAll
    static void startContainerd() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: containerd and its shim run rootful here");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        assumeTrue(Daemons.onPath("containerd") && Daemons.onPath("ctr"), "containerd not installed (apt-get install containerd)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        rootfs = Bundles.busyboxRootfs(tmp.resolve("image"));
        runtime = Cli.runtimeScript(tmp);
        socket = tmp.resolve("containerd.sock");
        Path config = Files.writeString(tmp.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd-ttrpc.sock"
                [debug]
                  address = "%1$s/debug.sock"
                [metrics]
                  address = ""
                """.formatted(tmp));
        daemons = new Daemons();
        daemons.start(tmp.resolve("containerd.log"), "containerd", "--config", config.toString());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ctr("version").status() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, ctr("version").status(), "containerd did not come up: " + Files.readString(tmp.resolve("containerd.log")));
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (daemons != null) {
            daemons.close();
        }
    }

    private static Cli.Result ctr(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        cmd.addAll(List.of(args));
        return Cli.run(new ProcessBuilder(cmd).redirectInput(new File("/dev/null")));
    }

    @Test
    void ctrRunReturnsOutputAndExitCode() throws Exception {
        Cli.Result r = ctr("run", "--rm", "--runc-binary", runtime.toString(), "--rootfs", rootfs.toString(), "c1",
                "sh", "-c", "echo hello from containerd; exit 5");
        assertEquals(5, r.status(), r::toString);
        assertEquals("hello from containerd\n", r.out(), r::toString);
    }

    @Test
    void ctrRunTGivesTheTaskTheContainersOwnPty() throws Exception {
        assumeTrue(Daemons.onPath("script"), "script(1) not installed (bsdutils)");
        String cmd = String.join(" ", "ctr", "--address", socket.toString(), "run", "-t", "--rm", "--runc-binary", runtime.toString(),
                "--rootfs", rootfs.toString(), "c3", "sh", "-c",
                "'readlink /proc/self/fd/0; test -t 1 && echo is-a-tty; stat -c console=%t:%T /dev/console; exit 4'");
        Cli.Result r = Cli.run(new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectInput(new File("/dev/null")));
        assertEquals(4, r.status(), r::toString);
        String out = r.out().replace("\r", "");
        assertTrue(out.contains("/dev/pts/0\n") && out.contains("is-a-tty") && out.contains("console=88:0"), r::toString);
    }

    @Test
    void ctrTaskKillStopsALongRunningTask() throws Exception {
        Cli.Result r = ctr("run", "-d", "--runc-binary", runtime.toString(), "--rootfs", rootfs.toString(), "c2", "sleep", "300");
        assertEquals(0, r.status(), r::toString);
        try {
            assertTrue(ctr("task", "ls").out().matches("(?s).*c2\\s+\\d+\\s+RUNNING.*"), "running");
            assertEquals(0, ctr("task", "kill", "-s", "SIGKILL", "c2").status());
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!ctr("task", "ls").out().matches("(?s).*c2\\s+\\d+\\s+STOPPED.*") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(ctr("task", "ls").out().matches("(?s).*c2\\s+\\d+\\s+STOPPED.*"), "the task stopped: " + ctr("task", "ls"));
            assertEquals(0, ctr("task", "delete", "c2").status());
        } finally {
            ctr("task", "delete", "-f", "c2");
            ctr("container", "rm", "c2");
        }
    }
}
