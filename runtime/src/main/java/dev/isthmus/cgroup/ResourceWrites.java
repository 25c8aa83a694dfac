package dev.isthmus.cgroup;

import dev.isthmus.spec.LinuxDevice;
import dev.isthmus.spec.LinuxResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * linux.resources as the cgroupfs writes that apply it, in order, each naming the spec field it
 * comes from. Pure: it looks only at which hierarchy holds each controller (v1 files such as
 * memory.limit_in_bytes, v2 ones such as memory.max, per config-linux.md and the kernel's
 * cgroup-v1/cgroup-v2 documentation), so a value this host cannot apply is refused before any
 * directory exists.
 */
public final class ResourceWrites {
    private ResourceWrites() {}

    /** One write: {@code value} into {@code file} of the cgroup's directory in {@code controller}'s hierarchy. */
    public record Write(String controller, String file, String value, String field) {}

    /** Devices every container may use whatever its rules (the spec's default devices, and /dev/pts). */
    static final List<String> DEFAULT_DEVICES = List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:9 rwm",
            "c 1:8 rwm", "c 5:2 rwm", "c 136:* rwm", "c 5:1 rwm");

    /**
     * The writes for {@code r} on {@code h}. {@code devices} (linux.devices) are allowed in the
     * device cgroup beside the defaults, when {@code r} restricts devices; null for an update.
     */
    public static List<Write> of(LinuxResources r, Hierarchy h, List<LinuxDevice> devices) {
        List<Write> w = new ArrayList<>();
        if (r == null) {
            return w;
        }
        if (r.memory() != null) {
            memory(r.memory(), h, w);
        }
        if (r.cpu() != null) {
            cpu(r.cpu(), h, w);
        }
        if (r.pids() != null && r.pids().limit() != null) {
            need(h, "pids", "linux.resources.pids.limit");
            long l = r.pids().limit();
            w.add(new Write("pids", "pids.max", l <= 0 ? "max" : Long.toString(l), "linux.resources.pids.limit"));
        }
        if (r.blockIO() != null) {
            blockIo(r.blockIO(), h, w);
        }
        for (int i = 0; i < r.hugepageLimits().size(); i++) {
            LinuxResources.HugepageLimit l = r.hugepageLimits().get(i);
            String field = "linux.resources.hugepageLimits[" + i + "]";
            need(h, "hugetlb", field);
            String file = h.isV2("hugetlb") ? "hugetlb." + l.pageSize() + ".max" : "hugetlb." + l.pageSize() + ".limit_in_bytes";
            w.add(new Write("hugetlb", file, Long.toUnsignedString(l.limit()), field + ".limit"));
        }
        if (r.network() != null) {
            if (r.network().classID() != null) {
                need(h, "net_cls", "linux.resources.network.classID");
                w.add(new Write("net_cls", "net_cls.classid", Long.toUnsignedString(r.network().classID()), "linux.resources.network.classID"));
            }
            for (int i = 0; i < r.network().priorities().size(); i++) {
                LinuxResources.InterfacePriority p = r.network().priorities().get(i);
                String field = "linux.resources.network.priorities[" + i + "]";
                need(h, "net_prio", field);
                w.add(new Write("net_prio", "net_prio.ifpriomap", p.name() + " " + p.priority(), field));
            }
        }
        for (Map.Entry<String, LinuxResources.Rdma> e : r.rdma().entrySet()) {
            String field = "linux.resources.rdma." + e.getKey();
            need(h, "rdma", field);
            StringBuilder v = new StringBuilder(e.getKey());
            if (e.getValue().hcaHandles() != null) {
                v.append(" hca_handle=").append(e.getValue().hcaHandles());
            }
            if (e.getValue().hcaObjects() != null) {
                v.append(" hca_object=").append(e.getValue().hcaObjects());
            }
            w.add(new Write("rdma", "rdma.max", v.toString(), field));
        }
        if (!r.devices().isEmpty()) {
            devices(r.devices(), devices, h, w);
        }
        for (Map.Entry<String, String> e : r.unified().entrySet()) {
            String field = "linux.resources.unified." + e.getKey();
            String key = e.getKey();
            if (key.contains("/") || key.startsWith(".")) {
                throw new IllegalArgumentException(field + ": must be the name of a file in the cgroup directory");
            }
            if (h.v2() == null) {
                throw new IllegalArgumentException(field + ": needs cgroup v2, and this host has only v1 hierarchies");
            }
            String controller = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            if (!controller.equals("cgroup") && !h.isV2(controller)) {
                throw new IllegalArgumentException(field + ": the " + controller + " controller is not in this host's cgroup v2 hierarchy"
                        + (h.v1().containsKey(controller) ? " (it is bound to v1 here)" : ""));
            }
            w.add(new Write(controller.equals("cgroup") ? V2_CORE : controller, key, e.getValue(), field));
        }
        return w;
    }

    /**
     * The pseudo-controller of device rules on cgroup v2: not files, one eBPF program made of
     * all of them ({@link DeviceFilter}), attached to the v2 directory.
     */
    public static final String EBPF_DEVICES = "ebpf-devices";

    /** The smallest memory limit a container may ask for (6 MiB, Docker's floor too). */
    static final long MIN_MEMORY_LIMIT = 6L << 20;

    /** The pseudo-controller of v2's core files (cgroup.*): the v2 directory, whatever controllers it has. */
    public static final String V2_CORE = "";

    private static void memory(LinuxResources.Memory m, Hierarchy h, List<Write> w) {
        String at = "linux.resources.memory";
        boolean any = m.limit() != null || m.reservation() != null || m.swap() != null || m.swappiness() != null
                || Boolean.TRUE.equals(m.disableOOMKiller()) || m.kernel() != null || m.kernelTCP() != null;
        if (!any) {
            return;
        }
        need(h, "memory", at);
        if (m.limit() != null && m.limit() > 0 && m.limit() < MIN_MEMORY_LIMIT) {
            // The child is placed in its cgroup while it is still a CLONE_VM clone of the JVM; an
            // OOM kill in the cgroup then would kill every process sharing that memory: the runtime.
            // (The CLI fuzz found it with a limit of 0 bytes. Docker refuses below 6 MB too.)
            throw new IllegalArgumentException(at + ".limit: must be at least " + MIN_MEMORY_LIMIT + " bytes (6 MiB), 0 or -1 for none: "
                    + "less cannot start a process");
        }
        if (m.limit() != null && m.swap() != null && m.swap() != -1 && m.limit() != -1 && m.swap() < m.limit()) {
            throw new IllegalArgumentException(at + ".swap: memory+swap (" + m.swap() + ") must not be below memory.limit (" + m.limit() + ")");
        }
        if (h.isV2("memory")) {
            if (m.limit() != null && m.limit() != 0) {
                w.add(new Write("memory", "memory.max", max(m.limit()), at + ".limit"));
            }
            if (m.reservation() != null) {
                w.add(new Write("memory", "memory.low", max(m.reservation()), at + ".reservation"));
            }
            if (m.swap() != null) {
                // v1 and the spec count memory+swap; v2's memory.swap.max counts swap alone.
                if (m.swap() == -1 || m.limit() == null || m.limit() == -1) {
                    if (m.swap() != -1) {
                        throw new IllegalArgumentException(at + ".swap: on cgroup v2 a swap limit needs memory.limit as well");
                    }
                    w.add(new Write("memory", "memory.swap.max", "max", at + ".swap"));
                } else {
                    w.add(new Write("memory", "memory.swap.max", Long.toString(m.swap() - m.limit()), at + ".swap"));
                }
            }
            if (Boolean.TRUE.equals(m.disableOOMKiller())) {
                throw new IllegalArgumentException(at + ".disableOOMKiller: cgroup v2 has no switch to disable the OOM killer");
            }
            if (m.swappiness() != null) {
                throw new IllegalArgumentException(at + ".swappiness: cgroup v2 has no per-cgroup swappiness");
            }
            return; // kernel and kernelTCP: deprecated by the spec, absent from v2
        }
        if (m.limit() != null && m.limit() != 0) { // 0: not set, as runc reads it
            w.add(new Write("memory", "memory.limit_in_bytes", Long.toString(m.limit()), at + ".limit"));
        }
        if (m.swap() != null) {
            w.add(new Write("memory", "memory.memsw.limit_in_bytes", Long.toString(m.swap()), at + ".swap"));
        }
        if (m.reservation() != null) {
            w.add(new Write("memory", "memory.soft_limit_in_bytes", Long.toString(m.reservation()), at + ".reservation"));
        }
        if (m.kernel() != null) {
            w.add(new Write("memory", "memory.kmem.limit_in_bytes", Long.toString(m.kernel()), at + ".kernel"));
        }
        if (m.kernelTCP() != null) {
            w.add(new Write("memory", "memory.kmem.tcp.limit_in_bytes", Long.toString(m.kernelTCP()), at + ".kernelTCP"));
        }
        if (m.swappiness() != null) {
            if (Long.compareUnsigned(m.swappiness(), 100) > 0) {
                throw new IllegalArgumentException(at + ".swappiness: must be 0 to 100");
            }
            w.add(new Write("memory", "memory.swappiness", Long.toString(m.swappiness()), at + ".swappiness"));
        }
        if (Boolean.TRUE.equals(m.disableOOMKiller())) {
            w.add(new Write("memory", "memory.oom_control", "1", at + ".disableOOMKiller"));
        }
    }

    private static void cpu(LinuxResources.Cpu c, Hierarchy h, List<Write> w) {
        String at = "linux.resources.cpu";
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            need(h, "cpuset", at + ".cpus");
            w.add(new Write("cpuset", "cpuset.cpus", c.cpus(), at + ".cpus"));
        }
        if (c.mems() != null && !c.mems().isEmpty()) {
            need(h, "cpuset", at + ".mems");
            w.add(new Write("cpuset", "cpuset.mems", c.mems(), at + ".mems"));
        }
        boolean any = c.shares() != null || c.quota() != null || c.period() != null || c.burst() != null || c.idle() != null
                || c.realtimePeriod() != null || c.realtimeRuntime() != null;
        if (!any) {
            return;
        }
        need(h, "cpu", at);
        if (h.isV2("cpu")) {
            if (c.shares() != null && c.shares() != 0) {
                long s = c.shares();
                if (s < 2 || s > 262144) {
                    throw new IllegalArgumentException(at + ".shares: must be 2 to 262144");
                }
                // The spec's cgroup v2 conversion: [2, 262144] onto cpu.weight's [1, 10000].
                w.add(new Write("cpu", "cpu.weight", Long.toString(1 + ((s - 2) * 9999) / 262142), at + ".shares"));
            }
            if (c.quota() != null || c.period() != null) {
                String quota = c.quota() == null || c.quota() < 0 ? "max" : Long.toString(c.quota());
                String field = c.quota() != null ? at + ".quota" : at + ".period";
                w.add(new Write("cpu", "cpu.max", c.period() == null ? quota : quota + " " + c.period(), field));
            }
            if (c.burst() != null) {
                w.add(new Write("cpu", "cpu.max.burst", Long.toString(c.burst()), at + ".burst"));
            }
            if (c.idle() != null) {
                w.add(new Write("cpu", "cpu.idle", Long.toString(c.idle()), at + ".idle"));
            }
            if (c.realtimePeriod() != null || c.realtimeRuntime() != null) {
                throw new IllegalArgumentException(at + (c.realtimePeriod() != null ? ".realtimePeriod" : ".realtimeRuntime")
                        + ": cgroup v2 has no real-time group scheduling");
            }
            return;
        }
        if (c.shares() != null && c.shares() != 0) {
            w.add(new Write("cpu", "cpu.shares", Long.toString(c.shares()), at + ".shares"));
        }
        if (c.period() != null && c.period() != 0) {
            w.add(new Write("cpu", "cpu.cfs_period_us", Long.toString(c.period()), at + ".period"));
        }
        if (c.quota() != null && c.quota() != 0) {
            w.add(new Write("cpu", "cpu.cfs_quota_us", Long.toString(c.quota()), at + ".quota"));
        }
        if (c.burst() != null) {
            w.add(new Write("cpu", "cpu.cfs_burst_us", Long.toString(c.burst()), at + ".burst"));
        }
        if (c.realtimePeriod() != null) {
            w.add(new Write("cpu", "cpu.rt_period_us", Long.toString(c.realtimePeriod()), at + ".realtimePeriod"));
        }
        if (c.realtimeRuntime() != null) {
            w.add(new Write("cpu", "cpu.rt_runtime_us", Long.toString(c.realtimeRuntime()), at + ".realtimeRuntime"));
        }
        if (c.idle() != null) {
            w.add(new Write("cpu", "cpu.idle", Long.toString(c.idle()), at + ".idle"));
        }
    }

    private static void blockIo(LinuxResources.BlockIo b, Hierarchy h, List<Write> w) {
        String at = "linux.resources.blockIO";
        boolean v2 = h.isV2("io");
        String controller = v2 ? "io" : "blkio";
        boolean any = b.weight() != null || b.leafWeight() != null || !b.weightDevice().isEmpty() || !b.throttleReadBpsDevice().isEmpty()
                || !b.throttleWriteBpsDevice().isEmpty() || !b.throttleReadIOPSDevice().isEmpty() || !b.throttleWriteIOPSDevice().isEmpty();
        if (!any) {
            return;
        }
        need(h, controller, at);
        if (b.weight() != null) {
            if (b.weight() < 10 || b.weight() > 1000) {
                throw new IllegalArgumentException(at + ".weight: must be 10 to 1000");
            }
            w.add(v2 ? new Write("io", "io.weight", "default " + (1 + (b.weight() - 10) * 9999 / 990), at + ".weight")
                    : new Write("blkio", "blkio.weight", Integer.toString(b.weight()), at + ".weight"));
        }
        if (b.leafWeight() != null) {
            if (v2) {
                throw new IllegalArgumentException(at + ".leafWeight: cgroup v2 has no leaf weight");
            }
            w.add(new Write("blkio", "blkio.leaf_weight", Integer.toString(b.leafWeight()), at + ".leafWeight"));
        }
        for (int i = 0; i < b.weightDevice().size(); i++) {
            LinuxResources.WeightDevice d = b.weightDevice().get(i);
            String field = at + ".weightDevice[" + i + "]";
            if (d.weight() != null) {
                w.add(v2 ? new Write("io", "io.weight", d.major() + ":" + d.minor() + " " + (1 + (d.weight() - 10) * 9999 / 990), field)
                        : new Write("blkio", "blkio.weight_device", d.major() + ":" + d.minor() + " " + d.weight(), field));
            }
        }
        throttle(b.throttleReadBpsDevice(), v2, "blkio.throttle.read_bps_device", "rbps", at + ".throttleReadBpsDevice", w);
        throttle(b.throttleWriteBpsDevice(), v2, "blkio.throttle.write_bps_device", "wbps", at + ".throttleWriteBpsDevice", w);
        throttle(b.throttleReadIOPSDevice(), v2, "blkio.throttle.read_iops_device", "riops", at + ".throttleReadIOPSDevice", w);
        throttle(b.throttleWriteIOPSDevice(), v2, "blkio.throttle.write_iops_device", "wiops", at + ".throttleWriteIOPSDevice", w);
    }

    private static void throttle(List<LinuxResources.ThrottleDevice> list, boolean v2, String v1File, String v2Key, String at, List<Write> w) {
        for (int i = 0; i < list.size(); i++) {
            LinuxResources.ThrottleDevice d = list.get(i);
            String dev = d.major() + ":" + d.minor();
            String rate = Long.toUnsignedString(d.rate());
            w.add(v2 ? new Write("io", "io.max", dev + " " + v2Key + "=" + rate, at + "[" + i + "]")
                    : new Write("blkio", v1File, dev + " " + rate, at + "[" + i + "]"));
        }
    }

    private static void devices(List<LinuxResources.DeviceCgroup> rules, List<LinuxDevice> devices, Hierarchy h, List<Write> w) {
        String at = "linux.resources.devices";
        // v1's devices controller when there is one, else (or when asked, e.g. to test it on a
        // hybrid host) an eBPF program attached to the v2 directory.
        boolean v1 = h.v1().containsKey("devices") && !"ebpf".equals(System.getenv("ISTHMUS_CGROUP_DEVICES"));
        if (!v1 && h.v2() == null) {
            throw new IllegalArgumentException(at + ": this host has neither a v1 devices controller nor cgroup v2");
        }
        String controller = v1 ? "devices" : EBPF_DEVICES;
        for (int i = 0; i < rules.size(); i++) {
            LinuxResources.DeviceCgroup d = rules.get(i);
            String type = d.type() == null || d.type().isEmpty() ? "a" : d.type();
            String rule = type.equals("a") && d.major() == null && d.minor() == null
                    ? "a" : type + " " + (d.major() == null || d.major() < 0 ? "*" : d.major()) + ":"
                    + (d.minor() == null || d.minor() < 0 ? "*" : d.minor()) + " " + (d.access() == null || d.access().isEmpty() ? "rwm" : d.access());
            w.add(new Write(controller, d.allow() ? "devices.allow" : "devices.deny", rule, at + "[" + i + "]"));
        }
        if (devices != null) {
            // As the spec's default devices, the ones linux.devices creates stay usable (runc does the same).
            for (String rule : DEFAULT_DEVICES) {
                w.add(new Write(controller, "devices.allow", rule, "linux.devices (defaults)"));
            }
            for (int i = 0; i < devices.size(); i++) {
                LinuxDevice d = devices.get(i);
                String t = d.type().equals("u") ? "c" : d.type();
                if (t.equals("c") || t.equals("b")) {
                    w.add(new Write(controller, "devices.allow", t + " " + d.major() + ":" + d.minor() + " rwm", "linux.devices[" + i + "]"));
                }
            }
        }
    }

    private static void need(Hierarchy h, String controller, String field) {
        if (!h.has(controller)) {
            throw new IllegalArgumentException(field + ": this host has no " + controller + " cgroup controller");
        }
    }

    private static String max(long v) {
        return v < 0 ? "max" : Long.toString(v);
    }
}
