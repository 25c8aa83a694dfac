package dev.isthmus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.sys.Errno;
import dev.isthmus.sys.K;
import dev.isthmus.sys.Syscall;
import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.RecordingKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's output, run by the reference interpreter against a recording fake kernel. */
class PlannerTest {

    private static final Path BUNDLE = Path.of("/b");

    /** Fixed host facts: /b/data is a directory, everything else a file; cgroup v1; pivot_root works. */
    private static final Host HOST = new Host() {
        @Override
        public boolean isDirectory(Path p, boolean follow) {
            return p.toString().endsWith("data") || p.toString().equals("/proc/acpi");
        }

        @Override
        public boolean cgroup2Only() {
            return false;
        }

        @Override
        public boolean rootIsRamfs() {
            return false;
        }

        @Override
        public long uid() {
            return 1000;
        }

        @Override
        public long gid() {
            return 1000;
        }
    };

    private static Config config(String namespaces, String mounts, String linux, List<String> args) throws Exception {
        String json = Bundles.config(args, "box", true, namespaces, mounts, linux);
        return ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static RecordingKernel interpret(Program p) {
        RecordingKernel k = new RecordingKernel();
        Interpreter.Outcome out = Interpreter.run(p, new long[] {5, 6}, k);
        assertTrue(out instanceof Interpreter.Outcome.Exec, "program should end in a successful execve: " + out);
        return k;
    }

    @Test
    void namespacesGoIntoCloneFlags() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        assertEquals(K.CLONE_NEWPID | K.CLONE_NEWNS | K.CLONE_NEWIPC | K.CLONE_NEWUTS | K.CLONE_NEWNET, p.cloneFlags());
        assertFalse(p.waitsForParent(), "no user namespace: nothing to wait for, so vfork can be used");
    }

    @Test
    void userNamespaceWaitsForMapsBeforeAnythingElse() throws Exception {
        String ns = "[{\"type\": \"user\"}, {\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"uts\"}]";
        String linux = """
                , "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}, {"containerID": 1, "hostID": 200000, "size": 10}],
                  "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]""";
        Program p = Planner.plan(config(ns, "", linux, List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        assertTrue(p.waitsForParent());
        assertEquals("0 1000 1\n1 200000 10\n", p.uidMap());
        assertEquals("0 1000 1\n", p.gidMap());
        RecordingKernel k = interpret(p);
        int sync = k.indexOf(c -> c.call() == Syscall.READ);
        assertEquals(6L, k.calls().get(0).num(0), "the child first closes the parent's end of the sync pipe");
        assertEquals(5L, k.calls().get(sync).num(0), "then reads the sync pipe");
        int firstMount = k.indexOf(c -> c.call() == Syscall.MOUNT);
        assertTrue(sync < firstMount, "id maps must be in place before the first mount");
        // mknod is refused in a user namespace: devices are bind mounts of the host's nodes
        assertEquals(0, k.calls(Syscall.MKNODAT).size());
        assertTrue(k.calls(Syscall.MOUNT).stream().anyMatch(c -> "/dev/null".equals(c.str(0)) && c.str(1).equals("/b/rootfs/dev/null")));
    }

    @Test
    void everyMountBeforePivotTargetsTheRootfs() throws Exception {
        String mounts = """
                , {"destination": "/mnt/data", "type": "bind", "source": "data", "options": ["rbind", "ro"]},
                  {"destination": "/etc/hosts", "type": "bind", "source": "/etc/hosts", "options": ["bind"]},
                  {"destination": "/../../escape", "type": "tmpfs", "source": "tmpfs"}""";
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, mounts, "", List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        RecordingKernel k = interpret(p);
        int pivot = k.indexOf(c -> c.call() == Syscall.PIVOT_ROOT);
        assertTrue(pivot > 0);
        List<RecordingKernel.Call> calls = k.calls();
        int rootPropagation = k.indexOf(c -> c.call() == Syscall.MOUNT && "/".equals(c.str(1)));
        for (int i = rootPropagation + 1; i < pivot; i++) {
            RecordingKernel.Call c = calls.get(i);
            String target = switch (c.call()) {
                case MOUNT -> c.str(1);
                case MKDIRAT, MKNODAT, OPENAT -> c.str(1);
                case SYMLINKAT -> c.str(2);
                default -> null;
            };
            if (target != null) {
                assertTrue(Path.of(target).normalize().startsWith("/b/rootfs"), "step " + i + " " + c + " leaves the rootfs");
            }
        }
        // relative bind sources are relative to the bundle; a file source gets a file mount point
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.MOUNT && "/b/data".equals(c.str(0))));
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.OPENAT && c.str(1).equals("/b/rootfs/etc/hosts")));
        // "ro" on a bind mount needs a remount
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.MOUNT && c.str(1).equals("/b/rootfs/mnt/data")
                && (c.num(3) & K.MS_REMOUNT) != 0 && (c.num(3) & K.MS_RDONLY) != 0));
    }

    @Test
    void execSearchesPathAndTheLastCandidateIsChecked() throws Exception {
        String json = Bundles.config(List.of("prog", "arg"), "box", false, Bundles.DEFAULT_NAMESPACES, "", "")
                .replace("\"PATH=/bin\"", "\"PATH=/usr/bin:/bin\"");
        Program p = Planner.plan(ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json"), BUNDLE, HOST,
                Planner.Options.DEFAULT);
        List<Step> execs = p.steps().stream().filter(s -> s.call() == Syscall.EXECVE).toList();
        assertEquals(2, execs.size());
        assertFalse(execs.get(0).checked());
        assertTrue(execs.get(1).checked());
        RecordingKernel k = new RecordingKernel().answer(Syscall.EXECVE, c -> true, -Errno.ENOENT.number());
        Interpreter.Outcome out = Interpreter.run(p, new long[0], k);
        assertEquals(new Interpreter.Outcome.Failed(p.steps().size() - 1, Errno.ENOENT.number()), out);
        assertEquals(List.of("/usr/bin/prog", "/bin/prog"), k.calls(Syscall.EXECVE).stream().map(c -> c.str(0)).toList());
    }

    @Test
    void fdsAreCloseOnExecAndSignalsUnblockedJustBeforeExec() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("/bin/sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        List<Step> s = p.steps();
        assertEquals(Syscall.EXECVE, s.get(s.size() - 1).call());
        assertEquals(Syscall.RT_SIGPROCMASK, s.get(s.size() - 2).call());
        assertEquals(Syscall.CLOSE_RANGE, s.get(s.size() - 3).call());
    }

    @Test
    void hostnameWithoutUtsNamespaceIsRefusedNamingTheField() throws Exception {
        Config c = config("[{\"type\": \"mount\"}]", "", "", List.of("sh"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(c, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertEquals("hostname", e.field());
    }

    @Test
    void noPivotMovesAndChroots() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("sh")), BUNDLE, HOST, new Planner.Options(true));
        assertTrue(p.steps().stream().noneMatch(s -> s.call() == Syscall.PIVOT_ROOT));
        assertTrue(p.steps().stream().anyMatch(s -> s.call() == Syscall.CHROOT));
    }
}
