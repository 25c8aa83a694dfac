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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The planner's output, run by the reference interpreter against a recording fake kernel. */
class PlannerTest {

    private static final Path BUNDLE = Path.of("/b");

    /** Symlinks in the rootfs /b/rootfs (path in it -> target). */
    private static final java.util.Map<String, String> LINKS = java.util.Map.of("mnt/abs", "/", "mnt/up", "../..", "mnt/chain", "abs",
            "mnt/ok", "../etc");

    /**
     * Fixed host facts: /b/data is a directory, everything else a file; the rootfs holds
     * {@link #LINKS}; cgroup v1; pivot_root works.
     */
    private static final Host HOST = new Host() {
        @Override
        public boolean isDirectory(Path p, boolean follow) {
            return p.toString().endsWith("data") || p.toString().equals("/proc/acpi");
        }

        @Override
        public String symlinkTarget(Path p) {
            return p.startsWith(BUNDLE.resolve("rootfs")) ? LINKS.get(BUNDLE.resolve("rootfs").relativize(p).toString()) : null;
        }

        @Override
        public List<Entry> tree(Path dir, int limit) {
            // the rootfs's /etc/app, reached through the link mnt/ok -> ../etc
            return dir.equals(BUNDLE.resolve("rootfs/etc/app")) ? TREE : List.of();
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

    private static final List<Host.Entry> TREE = List.of(
            new Host.Entry("conf", 0100640, 1000, 1001, 10, 0, null),
            new Host.Entry("d", 0040755, 0, 0, 0, 0, null),
            new Host.Entry("d/l", 0120777, 0, 0, 7, 0, "../conf"),
            new Host.Entry("d/sock", 0140755, 0, 0, 0, 0, null),
            new Host.Entry("big", 0104755, 0, 5, 5_000_000_000L, 0, null));

    @Test
    void tmpcopyupCopiesWhatTheTmpfsCoversIntoIt() throws Exception {
        String mounts = """
                , {"destination": "/mnt/ok/app", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "tmpcopyup", "mode=755"]}""";
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, mounts, "", List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        List<String> l = p.listing("");
        String all = String.join("\n", l);
        int mount = indexOf(p.steps(), x -> x.call() == Syscall.MOUNT && x.what().equals("mount tmpfs on /mnt/ok/app"));
        assertTrue(mount > 0 && !p.steps().get(mount).render().contains("tmpcopyup"), all);
        assertTrue(p.steps().get(mount).render().contains("\"mode=755\""), all);
        // the covered directory is opened before the mount, the tmpfs after it
        int src = indexOf(p.steps(), x -> x.what().startsWith("tmpcopyup: open /mnt/ok/app before"));
        int dst = indexOf(p.steps(), x -> x.what().startsWith("tmpcopyup: open the tmpfs"));
        assertTrue(src >= 0 && src < mount && mount < dst, all);
        RecordingKernel k = interpret(p);
        assertEquals(List.of("conf", "big"), k.calls(Syscall.OPENAT2).stream().map(c -> c.str(1)).filter(f -> f.equals("conf") || f.equals("big"))
                .toList(), "originals opened beneath the covered directory");
        Step original = p.steps().get(indexOf(p.steps(), x -> x.what().endsWith("/conf: open the original")));
        assertEquals(new Arg.Slot(InRoot.TREE), original.args().getFirst(), "read through the fd of the covered directory");
        assertEquals(new Arg.Slot(InRoot.TREE), p.steps().get(src).args().isEmpty() ? null
                : new Arg.Slot(p.steps().get(src).storeSlot()), "the covered directory's fd");
        assertEquals(List.of(10L, 0x7ffff000L, 0x7ffff000L, 5_000_000_000L - 2 * 0x7ffff000L),
                k.calls(Syscall.SENDFILE).stream().map(c -> c.num(3)).toList(), "one sendfile per 2 GiB");
        assertEquals(List.of("d"), k.calls(Syscall.MKDIRAT).stream().map(c -> c.str(1)).filter(f -> f.equals("d")).toList());
        assertTrue(k.calls(Syscall.SYMLINKAT).stream().anyMatch(c -> c.str(0).equals("../conf") && c.str(2).equals("d/l")), all);
        assertFalse(all.contains("d/sock"), "a socket is not copied: " + all);
        // owners, and the set-user-ID bit again after chown cleared it
        assertTrue(k.calls(Syscall.FCHOWNAT).stream().anyMatch(c -> c.str(1).equals("conf") && c.num(2) == 1000 && c.num(3) == 1001), all);
        assertTrue(k.calls(Syscall.FCHMODAT).stream().anyMatch(c -> c.str(1).equals("big") && c.num(2) == 04755), all);
        // the originals are opened so that a symlink swapped in since the plan fails the start
        assertTrue(all.contains("O_RDONLY|O_CLOEXEC|O_NOFOLLOW, resolve=RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS"), all);
    }

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
    void aMountDestinationThatASymlinkMakesTheRootIsRefused() throws Exception {
        // issue 20, item 6: runc refuses these; mounted, they would cover the whole rootfs
        for (String dest : List.of("/mnt/abs", "/mnt/up", "/mnt/chain", "/mnt/abs/.", "/mnt/x/../chain")) {
            Config c = config(Bundles.DEFAULT_NAMESPACES, ", {\"destination\": \"" + dest + "\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                    "", List.of("sh"));
            PlanException e = assertThrows(PlanException.class, () -> Planner.plan(c, BUNDLE, HOST, Planner.Options.DEFAULT), dest);
            assertTrue(e.getMessage().contains("mounts[2].destination") && e.getMessage().contains("root itself"), e.getMessage());
        }
        // a link that stays below the root is followed as before (by openat2 in the root at run time)
        Config ok = config(Bundles.DEFAULT_NAMESPACES, ", {\"destination\": \"/mnt/ok/x\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                "", List.of("sh"));
        interpret(Planner.plan(ok, BUNDLE, HOST, Planner.Options.DEFAULT));
    }

    @Test
    void withoutAMountNamespaceTheRootIsAChroot() throws Exception {
        // issue 20, item 5: root.path was ignored and the process saw the host's "/"
        String json = Bundles.config(List.of("sh"), "", false, "[{\"type\": \"pid\"}]", "", "")
                .replaceFirst("\\{\"destination\": \"/proc\"[^}]*\\},", "").replaceFirst("\\{\"destination\": \"/dev\"[^}]*\\}", "");
        Config c = ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
        assertTrue(c.mounts().isEmpty(), json);
        RecordingKernel k = interpret(Planner.plan(c, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertEquals(List.of("/b/rootfs"), k.calls(Syscall.CHROOT).stream().map(x -> x.str(0)).toList());
        // a read-only root would be a remount in the host's namespace: refused, naming the field
        Config ro = ConfigReader.read(json.replace("\"readonly\": false", "\"readonly\": true").getBytes(StandardCharsets.UTF_8),
                "config.json");
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(ro, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("root.readonly"), e.getMessage());
    }

    @Test
    void withoutAMountNamespaceMountsAndMasksAreMadeUnderTheRootfsAsRuncMakesThem() throws Exception {
        // issue #15 item 4 (the validation suite's linux_ns_itype): refused before; runc and crun
        // mount in their own namespace under the bundle's rootfs
        String json = Bundles.config(List.of("sh"), "", false, "[]", "", ", \"maskedPaths\": [\"/proc/kcore\"]");
        Config c = ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
        Program p = Planner.plan(c, BUNDLE, HOST, Planner.Options.DEFAULT);
        String all = String.join("\n", p.listing(""));
        assertEquals(0, p.cloneFlags(), all);
        assertFalse(all.contains("make / ") || all.contains("pivot_root") || all.contains("onto itself"),
                "nothing changes the runtime's own mount tree beyond the rootfs: " + all);
        RecordingKernel k = interpret(p);
        int proc = k.indexOf(x -> x.call() == Syscall.MOUNT && "proc".equals(x.arg(2)));
        int mask = k.indexOf(x -> x.call() == Syscall.OPENAT2 && "proc/kcore".equals(x.arg(1)));
        int chroot = k.indexOf(x -> x.call() == Syscall.CHROOT);
        assertTrue(proc >= 0 && proc < mask && mask < chroot, all);
        // every mount target is resolved in the rootfs
        assertTrue(k.calls(Syscall.OPENAT2).stream().filter(x -> x.str(1).startsWith("proc") || x.str(1).startsWith("dev"))
                .allMatch(x -> x.str(1).charAt(0) != '/'), all);
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
        assertTrue(k.calls(Syscall.MKNODAT).stream().allMatch(c -> c.num(2) == (K.S_IFREG | 0644)), "only empty files as mount points");
        long hostNull = fdOf(k, c -> c.call() == Syscall.OPEN_TREE && "/dev/null".equals(c.str(1)));
        long target = fdOf(k, c -> c.call() == Syscall.OPENAT2 && "dev/null".equals(c.str(1)));
        assertTrue(k.calls(Syscall.MOVE_MOUNT).stream().anyMatch(c -> c.num(0) == hostNull && c.num(2) == target));
    }

    @Test
    void aNonRootParentDeniesSetgroupsBeforeWritingItsOwnGidAlone() throws Exception {
        String ns = "[{\"type\": \"user\"}, {\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"uts\"}]";
        String own = """
                , "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                  "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]""";
        Program single = Planner.plan(config(ns, "", own, List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        assertTrue(single.denySetgroups(), "user_namespaces(7): an unprivileged gid_map write needs setgroups denied");
        assertTrue(single.listing("").contains("parent: write(\"/proc/CHILD/setgroups\", \"deny\")"));
        String range = """
                , "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                  "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}, {"containerID": 1, "hostID": 100000, "size": 65536}]""";
        Program wide = Planner.plan(config(ns, "", range, List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        assertFalse(wide.denySetgroups(), "newgidmap decides setgroups for a range");
        Program asRoot = Planner.plan(config(ns, "", own.replace("1000", "0"), List.of("sh")), BUNDLE, rootHost(false), Planner.Options.DEFAULT);
        assertFalse(asRoot.denySetgroups(), "root may write any gid_map and keeps setgroups");
    }

    @Test
    void aRuntimeInsideAUserNamespaceBindsDevicesInsteadOfMknod() throws Exception {
        // rootless podman's: root in a namespace that maps part of the ids
        Host inUserNs = rootHost(true);
        String ns = "[{\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"uts\"}]";
        RecordingKernel k = interpret(Planner.plan(config(ns, "", "", List.of("sh")), BUNDLE, inUserNs, Planner.Options.DEFAULT));
        assertTrue(k.calls(Syscall.MKNODAT).stream().allMatch(c -> c.num(2) == (K.S_IFREG | 0644)), "only empty files as mount points");
        assertTrue(k.calls(Syscall.OPEN_TREE).stream().anyMatch(c -> "/dev/null".equals(c.str(1))), "the host's /dev/null is bound");
        RecordingKernel plain = interpret(Planner.plan(config(ns, "", "", List.of("sh")), BUNDLE, rootHost(false), Planner.Options.DEFAULT));
        assertTrue(plain.calls(Syscall.MKNODAT).stream().anyMatch(c -> (c.num(2) & K.S_IFCHR) == K.S_IFCHR), "outside one: mknod");
    }

    /** {@link #HOST} as root, in a user namespace of its own or not. */
    private static Host rootHost(boolean inUserNamespace) {
        return new Host() {
            @Override
            public boolean isDirectory(Path p, boolean follow) {
                return HOST.isDirectory(p, follow);
            }

            @Override
            public String symlinkTarget(Path p) {
                return HOST.symlinkTarget(p);
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
                return 0;
            }

            @Override
            public long gid() {
                return 0;
            }

            @Override
            public boolean inUserNamespace() {
                return inUserNamespace;
            }
        };
    }

    /** The resolve flags of an openat2 call's struct open_how (bytes 16..23, little-endian). */
    private static long resolveFlags(RecordingKernel.Call c) {
        return java.nio.ByteBuffer.wrap((byte[]) c.arg(2)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(16);
    }

    /** The fd an openat2 call returned (the fake numbers them). */
    private static long fdOf(RecordingKernel k, Predicate<RecordingKernel.Call> p) {
        List<RecordingKernel.Call> calls = k.calls();
        int i = k.indexOf(p);
        assertTrue(i >= 0, "no such call");
        // the fake answers fd calls with 100, 101, ... in order
        long n = 100;
        for (int j = 0; j < i; j++) {
            if (RecordingKernel.FD_CALLS.contains(calls.get(j).call())) {
                n++;
            }
        }
        return n;
    }

    @Test
    void everyTargetIsResolvedInsideTheRootfs() throws Exception {
        String mounts = """
                , {"destination": "/mnt/data", "type": "bind", "source": "data", "options": ["rbind", "ro"]},
                  {"destination": "/etc/hosts", "type": "bind", "source": "/etc/hosts", "options": ["bind"]},
                  {"destination": "/../../escape", "type": "tmpfs", "source": "tmpfs", "options": ["rshared"]}""";
        String linux = """
                , "maskedPaths": ["/proc/kcore", "/proc/acpi"], "readonlyPaths": ["/proc/sys"]""";
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, mounts, linux, List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        RecordingKernel k = interpret(p);
        List<RecordingKernel.Call> calls = k.calls();
        int bindRoot = k.indexOf(c -> c.call() == Syscall.MOUNT && "/b/rootfs".equals(c.str(1)));
        int openRoot = k.indexOf(c -> c.call() == Syscall.OPENAT && "/b/rootfs".equals(c.str(1)));
        assertTrue(bindRoot >= 0 && openRoot == bindRoot + 1, "the rootfs fd is opened right after the rootfs is bound onto itself");
        assertEquals(K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC, calls.get(openRoot).num(2));
        long root = fdOf(k, c -> c == calls.get(openRoot));
        int pivot = k.indexOf(c -> c.call() == Syscall.PIVOT_ROOT);
        int closeRoot = k.indexOf(c -> c.call() == Syscall.CLOSE && c.num(0) == root);
        assertTrue(openRoot < pivot && pivot < closeRoot);
        assertEquals(root, calls.get(pivot - 1).num(0), "pivot_root acts on the cwd set from the rootfs fd");
        assertEquals(Syscall.FCHDIR, calls.get(pivot - 1).call());
        // fds resolved in the root: the rootfs fd and what openat2 (relative to it, in the root) returned
        Set<Long> inRoot = new HashSet<>(Set.of(root));
        Set<Long> trees = new HashSet<>();
        long fd = 100;
        for (int i = 0; i < calls.size(); i++) {
            RecordingKernel.Call c = calls.get(i);
            long result = RecordingKernel.FD_CALLS.contains(c.call()) ? fd++ : 0;
            if (i <= openRoot || i >= closeRoot) {
                continue;
            }
            switch (c.call()) {
                case OPENAT2 -> {
                    assertEquals(root, c.num(0), "openat2 relative to the rootfs fd: " + c);
                    assertFalse(c.str(1).startsWith("/") || c.str(1).contains(".."), c.toString());
                    assertEquals(K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS, resolveFlags(c), c.toString());
                    inRoot.add(result);
                }
                case OPEN_TREE, FSMOUNT -> trees.add(result);
                case OPENAT -> throw new AssertionError("step " + i + " opens by path: " + c);
                case MKDIRAT, MKNODAT -> {
                    assertTrue(inRoot.contains(c.num(0)), "step " + i + " " + c + " is not relative to an in-root fd");
                    assertFalse(c.str(1).contains("/"), "one component at a time: " + c);
                }
                case SYMLINKAT -> {
                    assertTrue(inRoot.contains(c.num(1)), "step " + i + " " + c);
                    assertFalse(c.str(2).contains("/"), c.toString());
                }
                case FCHDIR -> assertTrue(inRoot.contains(c.num(0)), "step " + i + " " + c);
                case MOUNT -> assertTrue(".".equals(c.str(1)) || c.str(1).equals("/"), "step " + i + " mounts on a path: " + c);
                case MOVE_MOUNT -> {
                    assertTrue(trees.contains(c.num(0)), c.toString());
                    assertTrue(inRoot.contains(c.num(2)), "step " + i + " " + c + " moves onto an fd not resolved in the root");
                    assertEquals(K.MOVE_MOUNT_F_EMPTY_PATH | K.MOVE_MOUNT_T_EMPTY_PATH, c.num(4));
                }
                case MOUNT_SETATTR -> assertTrue(trees.contains(c.num(0)) || inRoot.contains(c.num(0)), c.toString());
                default -> {}
            }
        }
        // "/../../escape" is the root's own "escape"
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.OPENAT2 && c.str(1).equals("escape")));
        // relative bind sources are relative to the bundle; a file source gets a file mount point
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.OPEN_TREE && "/b/data".equals(c.str(1))
                && (c.num(2) & K.AT_RECURSIVE) != 0));
        assertTrue(calls.stream().anyMatch(c -> c.call() == Syscall.MKNODAT && c.str(1).equals("hosts") && c.num(2) == (K.S_IFREG | 0644)));
        // "ro" on a bind mount is set on the detached copy, before it is attached
        long data = fdOf(k, c -> c.call() == Syscall.OPEN_TREE && "/b/data".equals(c.str(1)));
        int setattr = k.indexOf(c -> c.call() == Syscall.MOUNT_SETATTR && c.num(0) == data);
        int move = k.indexOf(c -> c.call() == Syscall.MOVE_MOUNT && c.num(0) == data);
        assertTrue(setattr >= 0 && setattr < move);
        byte[] attr = (byte[]) calls.get(setattr).arg(3);
        assertEquals(K.MOUNT_ATTR_RDONLY, java.nio.ByteBuffer.wrap(attr).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        // rshared on a new filesystem: the target opened again (now the mount's root), then mount_setattr
        int tmpfs = k.indexOf(c -> c.call() == Syscall.MOUNT && "tmpfs".equals(c.str(2)) && ".".equals(c.str(1))
                && calls.indexOf(c) > k.indexOf(d -> d.call() == Syscall.OPENAT2 && d.str(1).equals("escape")));
        assertEquals(Syscall.OPENAT2, calls.get(tmpfs + 1).call());
        assertEquals("escape", calls.get(tmpfs + 1).str(1));
        assertEquals(Syscall.MOUNT_SETATTR, calls.get(tmpfs + 2).call());
        assertEquals(K.AT_EMPTY_PATH | K.AT_RECURSIVE, calls.get(tmpfs + 2).num(2));
    }

    @Test
    void maskedAndReadonlyPathsThatDoNotExistAreSkipped() throws Exception {
        String linux = """
                , "maskedPaths": ["/proc/kcore", "/proc/acpi"], "readonlyPaths": ["/proc/sys"]""";
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", linux, List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        // The paths are missing: openat2 answers ENOENT, and a call given the resulting -ENOENT as an fd answers EBADF.
        int enoent = -Errno.ENOENT.number();
        int ebadf = -Errno.EBADF.number();
        RecordingKernel k = new RecordingKernel()
                .answer(Syscall.OPENAT2, c -> c.str(1).startsWith("proc/"), enoent)
                .answer(Syscall.MOVE_MOUNT, c -> c.num(0) < 0 || c.num(2) < 0, ebadf)
                .answer(Syscall.OPEN_TREE, c -> c.num(0) < 0 && c.num(0) != K.AT_FDCWD, ebadf)
                .answer(Syscall.MOUNT_SETATTR, c -> c.num(0) < 0, ebadf);
        Interpreter.Outcome out = Interpreter.run(p, new long[] {5, 6}, k);
        assertTrue(out instanceof Interpreter.Outcome.Exec, "missing masked paths do not stop the container: " + out);
        assertEquals(3, k.calls(Syscall.MOVE_MOUNT).stream().filter(c -> c.num(2) == enoent).count());
        // ... but a masked path that exists and cannot be masked does
        RecordingKernel k2 = new RecordingKernel().answer(Syscall.MOVE_MOUNT, c -> true, -Errno.EPERM.number());
        Interpreter.Outcome out2 = Interpreter.run(p, new long[] {5, 6}, k2);
        assertTrue(out2 instanceof Interpreter.Outcome.Failed f && f.errno() == Errno.EPERM.number(), out2.toString());
    }

    /** {@link #HOST} on which {@code absent} does not exist. */
    private static Host hostWithout(String absent) {
        return new Host() {
            @Override
            public boolean isDirectory(Path p, boolean follow) {
                return HOST.isDirectory(p, follow);
            }

            @Override
            public boolean exists(Path p) {
                return !p.toString().equals(absent);
            }

            @Override
            public boolean cgroup2Only() {
                return HOST.cgroup2Only();
            }

            @Override
            public boolean rootIsRamfs() {
                return HOST.rootIsRamfs();
            }

            @Override
            public long uid() {
                return HOST.uid();
            }

            @Override
            public long gid() {
                return HOST.gid();
            }
        };
    }

    @Test
    void aProcEntryTheHostLacksIsCheckedStillAbsentNotMasked() throws Exception {
        String linux = """
                , "maskedPaths": ["/proc/kcore", "/proc/asound"]""";
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", linux, List.of("sh")), BUNDLE, hostWithout("/proc/asound"),
                Planner.Options.DEFAULT);
        List<Step> asound = p.steps().stream().filter(s -> s.what().contains("/proc/asound")).toList();
        assertEquals(1, asound.size(), "one step, no /dev/null clone to throw away: " + asound);
        assertEquals(Syscall.MKDIRAT, asound.getFirst().call());
        assertEquals(Errno.ENOENT.number(), asound.getFirst().tolerate());
        assertTrue(p.steps().stream().anyMatch(s -> s.what().startsWith("mask /proc/kcore")), "a present entry is still masked");
        // procfs answers ENOENT while the entry is absent: the launch goes on
        Interpreter.Outcome out = Interpreter.run(p, new long[] {5, 6}, new RecordingKernel()
                .answer(Syscall.MKDIRAT, c -> "asound".equals(c.str(1)), -Errno.ENOENT.number()));
        assertTrue(out instanceof Interpreter.Outcome.Exec, out.toString());
        // once it exists (a module loaded after the plan), the launch fails naming it
        int step = p.steps().indexOf(asound.getFirst());
        Interpreter.Outcome appeared = Interpreter.run(p, new long[] {5, 6}, new RecordingKernel()
                .answer(Syscall.MKDIRAT, c -> "asound".equals(c.str(1)), -Errno.EEXIST.number()));
        assertEquals(new Interpreter.Outcome.Failed(step, Errno.EEXIST.number()), appeared);
        // when a later mount covers /proc, "/proc/asound" is no longer the kernel's: masked as before
        String covered = ", {\"destination\": \"/proc\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}";
        Program q = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, covered, linux, List.of("sh")), BUNDLE, hostWithout("/proc/asound"),
                Planner.Options.DEFAULT);
        assertTrue(q.steps().stream().anyMatch(s -> s.what().startsWith("mask /proc/asound")), "masked when /proc is not a fresh procfs");
        assertTrue(q.steps().stream().noneMatch(s -> s.call() == Syscall.MKDIRAT && "asound".equals(((Arg.Str) s.args().get(1)).value())));
    }

    @Test
    void aBatchTemplateSplitsIntoATemplateNamespaceAndTasks() throws Exception {
        String linux = """
                , "maskedPaths": ["/proc/kcore", "/sys/firmware"], "readonlyPaths": ["/proc/sys"]""";
        String sys = ", {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"ro\"]}";
        String noNet = "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]";
        Config c = config(noNet, sys, linux, List.of("sh"));
        Planner.Template t = Planner.planTemplate(c, BUNDLE, HOST, Planner.Options.DEFAULT, Path.of("/run/fifo"));
        assertTrue(t != null, "a read-only root, a mount namespace and no user namespace split");
        Program holder = t.holder().program();
        Program task = t.task();
        assertEquals(K.CLONE_NEWNS, holder.cloneFlags(), "the holder makes a mount namespace and writes nothing of the host's");
        assertEquals(0, task.cloneFlags() & K.CLONE_NEWNS, "a task joins the template's");
        assertTrue((task.cloneFlags() & K.CLONE_NEWPID) != 0);
        List<String> h = holder.steps().stream().map(Step::what).toList();
        List<String> k = task.steps().stream().map(Step::what).toList();
        // the shared part: root, pivot, read-only, the sysfs (no network namespace) and its mask
        assertTrue(h.stream().anyMatch(w -> w.startsWith("pivot_root")) && h.contains("remount the root read-only"), h.toString());
        assertTrue(h.contains("mount sysfs on /sys") && h.stream().anyMatch(w -> w.startsWith("mask /sys/firmware")), h.toString());
        assertTrue(h.stream().noneMatch(w -> w.startsWith("set the hostname") || w.contains("proc on /proc")), h.toString());
        assertTrue(h.contains("mkdir /proc") && h.contains("mkdir /dev"), "the tasks' mount points, made while the root is writable: " + h);
        // each task's own: proc, /dev and its nodes, the masks in /proc; no pivot
        assertEquals(Syscall.SETNS, task.steps().get(k.indexOf("join the batch's template mount namespace")).call());
        assertTrue(k.indexOf("close the template namespace's fd") < k.indexOf("copy it into a mount namespace of the task's own"));
        assertTrue(k.contains("mount proc on /proc") && k.contains("mount tmpfs on /dev") && k.contains("mknod /dev/null"), k.toString());
        assertTrue(k.stream().anyMatch(w -> w.startsWith("mask /proc/kcore")) && k.contains("open read-only path /proc/sys"), k.toString());
        assertTrue(k.stream().noneMatch(w -> w.startsWith("pivot_root") || w.contains("/sys/firmware") || w.startsWith("bind the rootfs")), k.toString());
        assertTrue(k.contains("set the hostname"), "the process part is a task's as always");
        RecordingKernel rk = interpret(task);
        assertEquals(1, rk.calls(Syscall.SETNS).size());

        // not split: a user namespace, a writable root, a terminal, a task's own cgroup mount (a network namespace's sysfs)
        String userNs = Bundles.DEFAULT_NAMESPACES.replace("]", ", {\"type\": \"user\"}]");
        assertEquals(null, Planner.planTemplate(config(userNs, "", ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]", List.of("sh")), BUNDLE, HOST,
                Planner.Options.DEFAULT, Path.of("/run/fifo")));
        String rw = Bundles.config(List.of("sh"), "box", false, Bundles.DEFAULT_NAMESPACES, "", "");
        assertEquals(null, Planner.planTemplate(ConfigReader.read(rw.getBytes(StandardCharsets.UTF_8), "config.json"), BUNDLE, HOST,
                Planner.Options.DEFAULT, Path.of("/run/fifo")));
        String net = Bundles.DEFAULT_NAMESPACES;
        String cg = sys + ", {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"ro\"]}";
        assertEquals(null, Planner.planTemplate(config(net, cg, "", List.of("sh")), BUNDLE, HOST, Planner.Options.DEFAULT, Path.of("/run/fifo")));
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
        RecordingKernel k = new RecordingKernel().answer(Syscall.EXECVE, c -> true, -Errno.ENOENT.number())
                .answer(Syscall.OPENAT2, c -> c.str(1).endsWith("/prog"), -Errno.ENOENT.number())
                .answer(Syscall.EXECVEAT, c -> "prog".equals(c.arg(1)), -Errno.ENOENT.number());
        Interpreter.Outcome out = Interpreter.run(p, new long[0], k);
        assertEquals(new Interpreter.Outcome.Failed(p.steps().size() - 1, Errno.ENOENT.number()), out);
        assertEquals(List.of("/usr/bin/prog", "/bin/prog"), k.calls(Syscall.EXECVE).stream().map(c -> c.str(0)).toList());
        // each candidate is opened without magic links first and exec'd by that fd
        assertEquals(List.of("usr/bin/prog", "bin/prog"), k.calls(Syscall.OPENAT2).stream().map(c -> c.str(1))
                .filter(f -> f.endsWith("/prog")).toList(), "beneath the container's root (RESOLVE_IN_ROOT)");

        // an ELF found in /bin is exec'd through its fd: execve by name is never reached
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        RecordingKernel k2 = new RecordingKernel().answer(Syscall.OPENAT2, c -> c.str(1).equals("usr/bin/prog"), -Errno.ENOENT.number())
                .answer(Syscall.EXECVEAT, c -> "prog".equals(c.arg(1)) && tries.getAndIncrement() == 0, -Errno.ENOENT.number())
                .answer(Syscall.EXECVE, c -> c.str(0).equals("/usr/bin/prog"), -Errno.ENOENT.number());
        Interpreter.Outcome out2 = Interpreter.run(p, new long[0], k2);
        assertTrue(out2 instanceof Interpreter.Outcome.Exec e && p.steps().get(e.step()).call() == Syscall.EXECVEAT, out2::toString);
        assertEquals(List.of("/usr/bin/prog"), k2.calls(Syscall.EXECVE).stream().map(c -> c.str(0)).toList());
    }

    @Test
    void aDirectExecutableIsOpenedWithoutMagicLinksAndAScriptFallsBackToExecve() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("/proc/self/fd/7/prog")), BUNDLE, HOST,
                Planner.Options.DEFAULT);
        List<Step> s = p.steps();
        Step open = s.get(s.size() - 4);
        assertEquals(Syscall.OPENAT2, open.call());
        assertTrue(open.checked() && open.tolerate() == Errno.ENOSYS.number(), open.render());
        assertTrue(open.render().contains("RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS") && open.args().getFirst() instanceof Arg.Slot,
                open.render());
        assertEquals(Syscall.OPENAT, s.get(s.size() - 5).call(), "the container's root, opened first");
        // exec'd by its last name in its directory's fd (the process is named after the program, not "/dev/fd/N")
        assertEquals(Syscall.OPENAT2, s.get(s.size() - 3).call());
        assertTrue(s.get(s.size() - 3).render().contains("\"proc/self/fd/7\""), s.get(s.size() - 3).render());
        assertEquals(Syscall.EXECVEAT, s.get(s.size() - 2).call());
        assertTrue(s.get(s.size() - 2).render().contains("\"prog\""), s.get(s.size() - 2).render());
        assertEquals(Syscall.EXECVE, s.get(s.size() - 1).call());
        // the kernel refuses the magic link: the program fails there, execve is never tried
        RecordingKernel k = new RecordingKernel().answer(Syscall.OPENAT2, c -> c.str(1).startsWith("proc/self/fd/"), -Errno.ELOOP.number());
        assertEquals(new Interpreter.Outcome.Failed(s.size() - 4, Errno.ELOOP.number()), Interpreter.run(p, new long[0], k));
        assertEquals(List.of(), k.calls(Syscall.EXECVE));
        // a #! script: execveat of a close-on-exec fd is ENOENT, execve by name runs it
        RecordingKernel k2 = new RecordingKernel().answer(Syscall.EXECVEAT, c -> !((List<?>) c.arg(2)).contains("isthmus-init"),
                -Errno.ENOENT.number());
        assertEquals(new Interpreter.Outcome.Exec(s.size() - 1), Interpreter.run(p, new long[0], k2));
    }

    /** A host with AppArmor (SecurityStepsTest's fixed host). */
    private static final Host LSM_HOST = SecurityStepsTest.host(true, false);

    /** The steps that open something (openat, openat2) with the path they name, rendered. */
    private static List<String> opens(List<Step> steps) {
        return steps.stream().filter(x -> x.call() == Syscall.OPENAT || x.call() == Syscall.OPENAT2).map(Step::render).toList();
    }

    @Test
    void sysctlAndLabelWritesGoThroughTheRuntimesOwnProcNeverTheContainers() throws Exception {
        String linux = ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}";
        String json = Bundles.config(List.of("/bin/sh"), "box", false, Bundles.DEFAULT_NAMESPACES.replace("{\"type\": \"mount\"}",
                "{\"type\": \"mount\", \"path\": \"/proc/77/ns/mnt\"}"), "", linux)
                .replace("\"cwd\": \"/\",", "\"cwd\": \"/\", \"apparmorProfile\": \"box-profile\",");
        Config c = ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
        Program p = Planner.plan(c, BUNDLE, LSM_HOST, Planner.Options.DEFAULT);
        List<Step> s = p.steps();
        int openProc = indexOf(s, x -> x.call() == Syscall.OPENAT && x.render().contains("\"/proc\""));
        int joinMnt = indexOf(s, x -> x.call() == Syscall.SETNS && x.render().contains("CLONE_NEWNS"));
        // opened by the image (an fd of the JVM's child would not survive its exec), before the
        // mount namespace given by path is joined
        assertTrue(p.imageStart() >= 0 && openProc > p.imageStart() && openProc < joinMnt, p.listing("")::toString);
        for (String o : opens(s)) {
            assertFalse(o.contains("\"/proc/self/attr") || o.contains("\"/proc/sys"), "a write through the container's /proc: " + o);
        }
        int sysctl = indexOf(s, x -> x.call() == Syscall.OPENAT2 && x.render().contains("\"sys/net/ipv4/ip_forward\""));
        int label = indexOf(s, x -> x.call() == Syscall.OPENAT2 && x.render().contains("\"self/attr/apparmor/exec\""));
        for (int at : new int[] {sysctl, label}) {
            assertTrue(at > joinMnt, p.listing("")::toString);
            assertEquals(new Arg.Slot(Planner.PROC_SLOT), s.get(at).args().getFirst());
            assertTrue(s.get(at).render().contains("RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS"), s.get(at).render());
        }
        // closed right after the label, before the fds are marked close-on-exec and the exec
        int close = indexOf(s, x -> x.call() == Syscall.CLOSE && x.args().getFirst().equals(new Arg.Slot(Planner.PROC_SLOT)));
        assertTrue(close > label && close < indexOf(s, x -> x.call() == Syscall.EXECVE), p.listing("")::toString);
        // run by the interpreter: the writes get the fd the image opened
        RecordingKernel k = new RecordingKernel().answer(Syscall.OPENAT, x -> "/proc".equals(x.str(1)), 42);
        Interpreter.run(p, new long[] {5, 6}, k);
        assertEquals(List.of(42L, 42L), k.calls(Syscall.OPENAT2).stream().filter(x -> x.str(1).startsWith("s"))
                .map(x -> x.num(0)).toList());

        // exec into a running container: the image opens /proc before it joins the container's
        // mount namespace (the JVM's child joins the others)
        Program e = Planner.planExec(c, BUNDLE, c.process(), K.CLONE_NEWNS | K.CLONE_NEWPID | K.CLONE_NEWNET, LSM_HOST);
        List<Step> es = e.steps();
        int early = indexOf(es, x -> x.call() == Syscall.SETNS);
        int hop = e.imageStart();
        int eOpen = indexOf(es, x -> x.call() == Syscall.OPENAT && x.render().contains("\"/proc\""));
        int late = indexOf(es, x -> x.call() == Syscall.SETNS && x.render().contains("CLONE_NEWNS"));
        assertTrue(early < hop && !es.get(early).render().contains("CLONE_NEWNS") && hop < eOpen && eOpen < late, e.listing("")::toString);
        int eLabel = indexOf(es, x -> x.call() == Syscall.OPENAT2 && x.render().contains("\"self/attr/apparmor/exec\""));
        assertTrue(eLabel > late && es.get(eLabel).args().getFirst().equals(new Arg.Slot(Planner.PROC_SLOT)), e.listing("")::toString);
        // without a label, one setns before the hop as before
        Config plain = config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("/bin/sh"));
        Program e2 = Planner.planExec(plain, BUNDLE, plain.process(), K.CLONE_NEWNS | K.CLONE_NEWPID, LSM_HOST);
        assertEquals(1, e2.steps().stream().filter(x -> x.call() == Syscall.SETNS).count());
        assertTrue(indexOf(e2.steps(), x -> x.call() == Syscall.SETNS) < e2.imageStart());
    }

    @Test
    void aPlainUsersExecJoinsThePidNamespaceThroughThePidfdAndForksInTheImage() throws Exception {
        Config c = config(Bundles.DEFAULT_NAMESPACES + "", "", "", List.of("/bin/sh"));
        Program e = Planner.planExec(c, BUNDLE, c.process(), K.CLONE_NEWUSER | K.CLONE_NEWNS | K.CLONE_NEWPID, HOST, true);
        List<Step> es = e.steps();
        int join = indexOf(es, x -> x.call() == Syscall.SETNS);
        assertTrue(join >= 0 && join < e.imageStart() && es.get(join).render().contains("CLONE_NEWPID")
                && es.get(join).render().contains("CLONE_NEWUSER"), e.listing("")::toString);
        int fork = indexOf(es, x -> x.call() == Syscall.CLONE);
        int report = indexOf(es, x -> x.call() == Syscall.WRITE && x.args().get(1).equals(new Arg.SlotAddr(Program.IMAGE)));
        int end = Planner.forkEndStep(e);
        assertTrue(e.imageStart() < fork && fork + 1 == report && report + 1 == end, e.listing("")::toString);
        assertEquals(Program.IMAGE, es.get(fork).storeSlot(), "the fork's result is what both report");
        assertEquals(List.of(new Arg.Slot(Program.IMAGE), new Arg.Slot(Program.IMAGE)), es.get(end).args(), "setpgid(pid, pid)");
        assertTrue(es.get(fork).render().contains("CLONE_PARENT"), "the forked process is the runtime's child");
        assertTrue(end < indexOf(es, x -> x.call() == Syscall.EXECVE), "everything of the process after the fork");
        assertEquals(-1, Planner.forkEndStep(Planner.planExec(c, BUNDLE, c.process(), K.CLONE_NEWNS, HOST)), "root: no fork");
    }

    @Test
    void execKeepsThePreservedFdsOpenAndMarksEveryFdAboveThemCloseOnExec() throws Exception {
        Config c = config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("/bin/sh"));
        for (boolean fork : List.of(false, true)) {
            for (int n : List.of(0, 2)) {
                Program e = Planner.planExec(c, BUNDLE, c.process(), K.CLONE_NEWNS | K.CLONE_NEWPID, HOST, fork, n);
                List<Step> ranges = e.steps().stream().filter(x -> x.call() == Syscall.CLOSE_RANGE).toList();
                assertEquals(2, ranges.size(), "one before the image's exec, one before the program's: " + e.listing(""));
                for (Step r : ranges) {
                    assertEquals(3L + n, ((Arg.Imm) r.args().getFirst()).value(), e.listing("")::toString);
                }
            }
        }
    }

    private static int indexOf(List<Step> steps, Predicate<Step> p) {
        for (int i = 0; i < steps.size(); i++) {
            if (p.test(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void fdsAreCloseOnExecBeforeTheCredentialsAndSignalsUnblockedJustBeforeExec() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("/bin/sh")), BUNDLE, HOST, Planner.Options.DEFAULT);
        List<Step> s = p.steps();
        assertEquals(List.of(Syscall.RT_SIGPROCMASK, Syscall.OPENAT, Syscall.OPENAT2, Syscall.OPENAT2, Syscall.EXECVEAT, Syscall.EXECVE),
                s.subList(s.size() - 6, s.size()).stream().map(Step::call).toList());
        // close_range(CLOEXEC) of the process part comes before the credential changes (as runc
        // closes its fds before setupUser), and no step after it opens an fd but the executable
        // (close-on-exec)
        int closeRange = s.size() - 1;
        while (s.get(closeRange).call() != Syscall.CLOSE_RANGE) {
            closeRange--;
        }
        int setresuid = s.size() - 1;
        while (s.get(setresuid).call() != Syscall.SETRESUID) {
            setresuid--;
        }
        assertTrue(closeRange > p.processStart() && closeRange < setresuid, p.listing("")::toString);
        for (Step after : s.subList(closeRange + 1, s.size())) {
            boolean lookup = after.call() == Syscall.OPENAT2 && (after.what().equals("exec /bin/sh") || after.what().equals("open the directory of /bin/sh"))
                    || after.call() == Syscall.OPENAT && after.what().equals("open the container's root for the program's lookup");
            assertFalse((after.flags() & Step.STORE) != 0 && !(lookup && after.render().contains("O_CLOEXEC")),
                    "opens an fd after close_range: " + after.render());
        }
    }

    @Test
    void hostnameWithoutUtsNamespaceIsRefusedNamingTheField() throws Exception {
        Config c = config("[{\"type\": \"mount\"}]", "", "", List.of("sh"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(c, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertEquals("hostname", e.field());
    }

    @Test
    void theContainersRootIsNeitherAMountDestinationNorADevicePath() throws Exception {
        String mounts = """
                , {"destination": "/a/..", "type": "bind", "source": "/etc/hosts", "options": ["bind"]}""";
        Config m = config(Bundles.DEFAULT_NAMESPACES, mounts, "", List.of("sh"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(m, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertEquals("mounts[2].destination", e.field()); // after Bundles' proc and dev
        String linux = """
                , "devices": [{"path": "/dev/../", "type": "c", "major": 1, "minor": 3}]""";
        Config d = config(Bundles.DEFAULT_NAMESPACES, "", linux, List.of("sh"));
        e = assertThrows(PlanException.class, () -> Planner.plan(d, BUNDLE, HOST, Planner.Options.DEFAULT));
        assertEquals("linux.devices[0].path", e.field());
    }

    @Test
    void noPivotMovesAndChroots() throws Exception {
        Program p = Planner.plan(config(Bundles.DEFAULT_NAMESPACES, "", "", List.of("sh")), BUNDLE, HOST, new Planner.Options(true));
        assertTrue(p.steps().stream().noneMatch(s -> s.call() == Syscall.PIVOT_ROOT));
        assertTrue(p.steps().stream().anyMatch(s -> s.call() == Syscall.CHROOT));
    }
}
