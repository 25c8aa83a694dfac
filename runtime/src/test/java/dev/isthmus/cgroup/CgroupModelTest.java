package dev.isthmus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hierarchy detection, cgroupsPath forms and resource writes, without touching the host. */
class CgroupModelTest {

    /** This kind of host: v1 controllers, hugetlb alone in cgroup2 at /sys/fs/cgroup/unified. */
    static final List<String> HYBRID = List.of(
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
    static final List<String> PURE_V2 = List.of("30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate");

    static Hierarchy hybrid() {
        return Hierarchy.parse(HYBRID, List.of("4:memory:/user/x", "1:cpu:/", "0::/"), m -> "hugetlb");
    }

    static Hierarchy v2() {
        return Hierarchy.parse(PURE_V2, List.of("0::/user.slice/session-1.scope"), m -> "cpuset cpu io memory hugetlb pids rdma");
    }

    @Test
    void modesAndWhereEachControllerLives() {
        Hierarchy h = hybrid();
        assertEquals(Hierarchy.Mode.HYBRID, h.mode());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), h.mountOf("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/unified"), h.mountOf("hugetlb"));
        assertTrue(h.isV2("hugetlb"));
        assertFalse(h.has("systemd") || h.has("name=systemd"), "a named hierarchy is not a controller");
        assertEquals(Hierarchy.Mode.V2, v2().mode());
        assertEquals(Hierarchy.Mode.V1, Hierarchy.parse(HYBRID.subList(0, 8), List.of(), m -> "").mode());
    }

    @Test
    void aHierarchyCoveredByALaterMountIsNotUsed() {
        // issue #15 item 6: a tmpfs mounted over /sys/fs/cgroup/unified hides the cgroup2 tree
        List<String> hidden = new java.util.ArrayList<>(HYBRID);
        hidden.add("99 23 0:99 / /sys/fs/cgroup/unified rw,relatime - tmpfs tmpfs rw");
        Hierarchy h = Hierarchy.parse(hidden, List.of("4:memory:/user/x", "1:cpu:/", "0::/"), m -> "hugetlb");
        assertEquals(Hierarchy.Mode.V1, h.mode());
        assertEquals(null, h.v2());
        assertFalse(h.has("hugetlb"));
        assertEquals(Path.of("/sys/fs/cgroup/memory"), h.mountOf("memory"));
        // a later mount below a hierarchy leaves it alone; one on a parent covers everything below
        List<String> below = new java.util.ArrayList<>(HYBRID);
        below.add("99 23 0:99 / /sys/fs/cgroup/memory/sub rw - tmpfs tmpfs rw");
        assertEquals(Path.of("/sys/fs/cgroup/memory"), Hierarchy.parse(below, List.of(), m -> "hugetlb").mountOf("memory"));
        List<String> parent = new java.util.ArrayList<>(HYBRID);
        parent.add("99 23 0:99 / /sys/fs/cgroup rw - tmpfs tmpfs rw");
        assertTrue(Hierarchy.parse(parent, List.of(), m -> "").v1().isEmpty());
    }

    @Test
    void pathForms() {
        assertEquals(new CgroupPath("/a/b", false), CgroupPath.of("/a//./b", "c1"));
        assertEquals(new CgroupPath("/a/b", true), CgroupPath.of("a/b", "c1"));
        assertEquals(new CgroupPath("/isthmus/c1", false), CgroupPath.of(null, "c1"));
        assertEquals("/machine.slice/libpod-c1.scope", CgroupPath.of("machine.slice:libpod:c1", "x").path());
        assertEquals("/a.slice/a-b.slice/p-n.scope", CgroupPath.of("a-b.slice:p:n", "x").path());
        assertEquals("/system.slice/n.scope", CgroupPath.of(":   :n".replace(" ", ""), "x").path());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CgroupPath.of("/a/../../etc", "c"));
        assertTrue(e.getMessage().startsWith("linux.cgroupsPath:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CgroupPath.of("nota:slice:n", "c"));
    }

    @Test
    void relativePathsResolveUnderTheRuntimesOwnCgroupPerHierarchy() {
        Cgroup cg = Cgroup.plan(hybrid(), CgroupPath.of("rel", "c"));
        assertTrue(cg.dirs().stream().anyMatch(d -> d.path().equals(Path.of("/sys/fs/cgroup/memory/user/x/rel"))), cg.dirs().toString());
        assertTrue(cg.dirs().stream().anyMatch(d -> d.path().equals(Path.of("/sys/fs/cgroup/cpu/rel"))));
        assertTrue(cg.dirs().stream().anyMatch(d -> d.v2() && d.path().equals(Path.of("/sys/fs/cgroup/unified/rel"))));
    }

    private static LinuxResources resources(LinuxResources.Memory m, LinuxResources.Cpu c, LinuxResources.Pids p) {
        return new LinuxResources(List.of(), m, c, p, null, List.of(new LinuxResources.HugepageLimit("2MB", 0)), null, Map.of(), Map.of());
    }

    @Test
    void v1AndV2FilesForTheSameResources() {
        LinuxResources r = resources(new LinuxResources.Memory(1L << 26, null, 1L << 27, null, null, null, null, null, null),
                new LinuxResources.Cpu(1024L, 50000L, null, 100000L, null, null, "0", null, null), new LinuxResources.Pids(-1L));
        List<ResourceWrites.Write> v1 = ResourceWrites.of(r, hybrid(), null);
        assertTrue(v1.contains(new ResourceWrites.Write("memory", "memory.limit_in_bytes", "67108864", "linux.resources.memory.limit")));
        assertTrue(v1.contains(new ResourceWrites.Write("memory", "memory.memsw.limit_in_bytes", "134217728", "linux.resources.memory.swap")));
        assertTrue(v1.contains(new ResourceWrites.Write("cpu", "cpu.cfs_quota_us", "50000", "linux.resources.cpu.quota")));
        assertTrue(v1.contains(new ResourceWrites.Write("pids", "pids.max", "max", "linux.resources.pids.limit")));
        assertTrue(v1.contains(new ResourceWrites.Write("hugetlb", "hugetlb.2MB.max", "0", "linux.resources.hugepageLimits[0].limit")),
                "hugetlb is v2 on the hybrid host: " + v1);
        List<ResourceWrites.Write> v2 = ResourceWrites.of(r, v2(), null);
        assertTrue(v2.contains(new ResourceWrites.Write("memory", "memory.max", "67108864", "linux.resources.memory.limit")));
        assertTrue(v2.contains(new ResourceWrites.Write("memory", "memory.swap.max", "67108864", "linux.resources.memory.swap")),
                "v2 swap is swap alone: " + v2);
        assertTrue(v2.contains(new ResourceWrites.Write("cpu", "cpu.max", "50000 100000", "linux.resources.cpu.quota")));
        assertTrue(v2.contains(new ResourceWrites.Write("cpu", "cpu.weight", "39", "linux.resources.cpu.shares")), v2.toString());
    }

    @Test
    void refusalsNameTheField() {
        LinuxResources swapBelow = resources(new LinuxResources.Memory(100L << 20, null, 50L << 20, null, null, null, null, null, null),
                null, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceWrites.of(swapBelow, hybrid(), null)).getMessage()
                .startsWith("linux.resources.memory.swap:"));
        // A limit too small to start a process: the child enters its cgroup while it still shares
        // the JVM's memory, and the cgroup's OOM kill took the runtime with it (the CLI fuzz, limit 0).
        for (long tiny : new long[] {1, 4096, (6L << 20) - 1}) {
            LinuxResources r = resources(new LinuxResources.Memory(tiny, null, null, null, null, null, null, null, null), null, null);
            for (Hierarchy h : List.of(hybrid(), v2())) {
                assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceWrites.of(r, h, null)).getMessage()
                        .startsWith("linux.resources.memory.limit: must be at least 6291456 bytes"));
            }
        }
        // 0 is no limit, as runc reads it
        LinuxResources zero = resources(new LinuxResources.Memory(0L, null, null, null, null, null, null, null, null), null, null);
        assertTrue(ResourceWrites.of(zero, hybrid(), null).stream().noneMatch(w -> w.file().startsWith("memory.limit")));
        assertTrue(ResourceWrites.of(zero, v2(), null).stream().noneMatch(w -> w.file().equals("memory.max")));
        LinuxResources devices = new LinuxResources(List.of(new LinuxResources.DeviceCgroup(false, null, null, null, "rwm")), null, null,
                null, null, List.of(), null, Map.of(), Map.of());
        assertEquals(new ResourceWrites.Write(ResourceWrites.EBPF_DEVICES, "devices.deny", "a", "linux.resources.devices[0]"),
                ResourceWrites.of(devices, v2(), null).getFirst(), "on v2, device rules become an eBPF program");
        Hierarchy noV2 = Hierarchy.parse(HYBRID.subList(0, 5), List.of(), m -> "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceWrites.of(devices, noV2, null)).getMessage()
                .startsWith("linux.resources.devices:"));
        LinuxResources net = new LinuxResources(List.of(), null, null, null, null, List.of(), new LinuxResources.Network(7L, List.of()),
                Map.of(), Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceWrites.of(net, hybrid(), null)).getMessage()
                .contains("linux.resources.network.classID: this host has no net_cls"));
        LinuxResources unified = new LinuxResources(List.of(), null, null, null, null, List.of(), null, Map.of(),
                Map.of("memory.high", "1000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceWrites.of(unified, hybrid(), null)).getMessage()
                .contains("bound to v1"));
        assertEquals(List.of(new ResourceWrites.Write("memory", "memory.high", "1000", "linux.resources.unified.memory.high")),
                ResourceWrites.of(unified, v2(), null));
    }

    @Test
    void deviceRulesDenyThenAllowTheDefaults() {
        LinuxResources r = new LinuxResources(List.of(new LinuxResources.DeviceCgroup(false, null, null, null, "rwm"),
                new LinuxResources.DeviceCgroup(true, "c", 10L, null, "rw")), null, null, null, null, List.of(), null, Map.of(), Map.of());
        List<ResourceWrites.Write> w = ResourceWrites.of(r, hybrid(), List.of());
        assertEquals(new ResourceWrites.Write("devices", "devices.deny", "a", "linux.resources.devices[0]"), w.get(0));
        assertEquals(new ResourceWrites.Write("devices", "devices.allow", "c 10:* rw", "linux.resources.devices[1]"), w.get(1));
        assertTrue(w.stream().anyMatch(x -> x.value().equals("c 1:3 rwm")), "/dev/null stays allowed");
    }

    @Test
    void aDeviceProgramEndsAtItsCatchAllRule() {
        // deny-all alone: 7 loads and shifts, then r0 = 0; exit (nothing after: the verifier refuses dead code)
        byte[] denyAll = DeviceFilter.program(List.of(DeviceFilter.Rule.parse(false, "a")));
        assertEquals(9 * 8, denyAll.length);
        assertEquals(0x61, denyAll[0] & 0xff, "r2 = *(u32 *)(r1 + 0)");
        assertEquals(0x12, denyAll[1] & 0xff, "src r1 in the high nibble, dst r2 in the low one");
        assertEquals(0x95, denyAll[8 * 8] & 0xff, "exit");
        // deny-all then allow c 1:3 rw: the allow is checked first (type, major, minor, access), then the catch-all
        byte[] p = DeviceFilter.program(List.of(DeviceFilter.Rule.parse(false, "a"), DeviceFilter.Rule.parse(true, "c 1:3 rw")));
        assertEquals((7 + 3 + 3 + 2 + 2) * 8, p.length);
        assertEquals(0x55, p[7 * 8] & 0xff, "if type != char goto next");
        assertEquals(7, p[7 * 8 + 2], "past the other 7 instructions of this rule (3 checks, 3 for access, r0 = 1, exit: 8 in all)");
        assertEquals(1, DeviceFilter.accessBits("m"));
        assertEquals(7, DeviceFilter.accessBits("rwm"));
    }
}
