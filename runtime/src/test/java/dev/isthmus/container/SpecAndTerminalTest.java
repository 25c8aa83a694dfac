package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `isthmus spec`, `--version`, and a container with process.terminal through `run`. */
class SpecAndTerminalTest {

    @TempDir
    Path tmp;

    @Test
    void versionNamesRuntimeAndSpec() throws Exception {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().startsWith("isthmus version "), r::toString);
        assertTrue(r.out().contains("spec: " + dev.isthmus.spec.DefaultConfigs.OCI_VERSION), r::toString);
    }

    @Test
    void specWritesAValidConfigAndRefusesToOverwrite() throws Exception {
        Cli.Result r = Cli.run("spec", "-b", tmp.toString());
        assertEquals(0, r.status(), r::toString);
        Config c = ConfigReader.read(tmp.resolve("config.json"));
        assertEquals(List.of("sh"), c.process().args());
        assertTrue(c.process().terminal());
        assertTrue(c.linux().namespaces().stream().anyMatch(n -> n.type() == NamespaceType.NETWORK));
        String before = Files.readString(tmp.resolve("config.json"));
        r = Cli.run("spec", "-b", tmp.toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("exists"), r::toString);
        assertEquals(before, Files.readString(tmp.resolve("config.json")));
    }

    @Test
    void rootlessSpecHasAUserNamespaceAndNoNetworkNamespace() throws Exception {
        Path b = Files.createDirectories(tmp.resolve("rootless"));
        Cli.Result r = Cli.run("spec", "--rootless", "-b", b.toString());
        assertEquals(0, r.status(), r::toString);
        Config c = ConfigReader.read(b.resolve("config.json"));
        assertTrue(c.linux().namespaces().stream().anyMatch(n -> n.type() == NamespaceType.USER));
        assertTrue(c.linux().namespaces().stream().noneMatch(n -> n.type() == NamespaceType.NETWORK));
        assertEquals(1, c.linux().uidMappings().size());
    }

    @Test
    void theDefaultSpecRunsWithATerminal() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        Path b = tmp.resolve("bundle");
        Bundles.busyboxRootfs(b);
        assertEquals(0, Cli.run("spec", "-b", b.toString()).status());
        Path input = Files.writeString(tmp.resolve("input"), "test -t 0 && test -t 1 && echo tty-ok; readlink /proc/self/fd/0; "
                + "stat -c console=%t:%T /dev/console; exit 5\n");
        Cli.Result r = Cli.run(Cli.builder("run", "-b", b.toString(), "spec-default").redirectInput(input.toFile()));
        assertEquals(5, r.status(), r::toString);
        assertTrue(r.out().contains("tty-ok"), "stdin and stdout are the console pty: " + r);
        // the pty is the container's own (its devpts, as runc makes it): `tty` names it, and it is /dev/console
        assertTrue(r.out().contains("/dev/pts/0\r\n"), "the console is /dev/pts/0 of the container's devpts: " + r);
        assertTrue(r.out().contains("console=88:0"), "/dev/console is that pty (major 136 = 0x88, minor 0): " + r);

        // stdin /dev/null: the shell gets end-of-file on its terminal and exits (it used to wait
        // forever, ignoring SIGTERM as an interactive shell does)
        Cli.Result n = Cli.run(Cli.builder("run", "-b", b.toString(), "spec-null").redirectInput(new java.io.File("/dev/null")));
        assertEquals(0, n.status(), n::toString);
    }
}
