package dev.isthmus.cli;

import dev.isthmus.cgroup.Hierarchy;
import dev.isthmus.cgroup.ResourceWrites;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.spec.LinuxResources;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * runc's update: new limits for a created, running or paused container, from -r (a
 * linux.resources JSON object, a file or - for stdin) and the flags, which win over the file.
 */
final class UpdateCommand implements Callable<Integer> {
    final Main main;

    UpdateCommand(Main main) {
        this.main = main;
    }

    CommandSpec model() {
        Model m = Model.command("update", this, "Change a container's cgroup limits.");
        m.option("-r --resources", String.class, "A linux.resources JSON object: a file, or - for stdin.", v -> resources = v);
        m.option("--memory", String.class, "Memory limit in bytes (suffixes k, m, g; -1: none).", v -> memory = v);
        m.option("--memory-swap", String.class, "Memory plus swap limit in bytes (-1: none).", v -> memorySwap = v);
        m.option("--memory-reservation", String.class, "Memory soft limit in bytes.", v -> memoryReservation = v);
        m.option("--cpu-shares", Long.class, "CPU shares (relative weight).", v -> cpuShares = v);
        m.option("--cpu-period", Long.class, "CPU CFS period in microseconds.", v -> cpuPeriod = v);
        m.option("--cpu-quota", Long.class, "CPU CFS quota in microseconds per period (-1: none).", v -> cpuQuota = v);
        m.option("--cpu-rt-period", Long.class, "CPU real-time period in microseconds.", v -> cpuRtPeriod = v);
        m.option("--cpu-rt-runtime", Long.class, "CPU real-time runtime in microseconds.", v -> cpuRtRuntime = v);
        m.option("--cpuset-cpus", String.class, "CPUs the container may use (e.g. 0-1,3).", v -> cpusetCpus = v);
        m.option("--cpuset-mems", String.class, "Memory nodes the container may use.", v -> cpusetMems = v);
        m.option("--pids-limit", Long.class, "Maximum number of tasks (-1: none).", v -> pidsLimit = v);
        m.option("--blkio-weight", Integer.class, "Block IO weight, 10 to 1000.", v -> blkioWeight = v);
        m.positional("0", "1", "ID", null, String.class, v -> id = v);
        return m.spec();
    }

    String resources;

    String memory;

    String memorySwap;

    String memoryReservation;

    Long cpuShares;

    Long cpuPeriod;

    Long cpuQuota;

    Long cpuRtPeriod;

    Long cpuRtRuntime;

    String cpusetCpus;

    String cpusetMems;

    Long pidsLimit;

    Integer blkioWeight;

    String id;

    @Override
    public Integer call() throws Exception {
        return CgroupCommands.run(() -> {
            LinuxResources r = merged(fromFile());
            CgroupCommands.Target t = CgroupCommands.target(main, id);
            if (t.status().equals("stopped")) {
                throw new CgroupCommands.Refused("cannot update container " + t.record().id() + ": it is stopped");
            }
            try {
                List<ResourceWrites.Write> writes = ResourceWrites.of(r, Hierarchy.detect(), null);
                t.cgroup().apply(writes);
            } catch (IllegalArgumentException e) {
                throw new CgroupCommands.Refused(e.getMessage());
            }
        });
    }

    private LinuxResources fromFile() throws Exception {
        if (resources == null) {
            return null;
        }
        byte[] body;
        if (resources.equals("-")) {
            body = System.in.readAllBytes();
        } else {
            body = Files.readAllBytes(Path.of(resources));
        }
        ByteArrayOutputStream doc = new ByteArrayOutputStream();
        doc.writeBytes("{\"ociVersion\":\"1.0.0\",\"linux\":{\"resources\":".getBytes(StandardCharsets.US_ASCII));
        doc.writeBytes(body);
        doc.writeBytes("}}".getBytes(StandardCharsets.US_ASCII));
        try {
            var config = ConfigReader.parse(doc.toByteArray(), resources.equals("-") ? "stdin" : resources);
            return config.linux().resources();
        } catch (ConfigException e) {
            throw new CgroupCommands.Refused("--resources: " + e.getMessage());
        }
    }

    /** The file's resources (or none) with the flags laid over them. */
    LinuxResources merged(LinuxResources f) throws CgroupCommands.Refused {
        LinuxResources.Memory m = f == null ? null : f.memory();
        LinuxResources.Cpu c = f == null ? null : f.cpu();
        LinuxResources.Pids p = f == null ? null : f.pids();
        LinuxResources.BlockIo b = f == null ? null : f.blockIO();
        if (memory != null || memorySwap != null || memoryReservation != null) {
            m = new LinuxResources.Memory(memory != null ? bytes(memory, "--memory") : m == null ? null : m.limit(),
                    memoryReservation != null ? bytes(memoryReservation, "--memory-reservation") : m == null ? null : m.reservation(),
                    memorySwap != null ? bytes(memorySwap, "--memory-swap") : m == null ? null : m.swap(),
                    m == null ? null : m.kernel(), m == null ? null : m.kernelTCP(), m == null ? null : m.swappiness(),
                    m == null ? null : m.disableOOMKiller(), null, null);
        }
        if (cpuShares != null || cpuPeriod != null || cpuQuota != null || cpusetCpus != null || cpusetMems != null
                || cpuRtPeriod != null || cpuRtRuntime != null) {
            c = new LinuxResources.Cpu(or(cpuShares, c == null ? null : c.shares()), or(cpuQuota, c == null ? null : c.quota()),
                    c == null ? null : c.burst(), or(cpuPeriod, c == null ? null : c.period()),
                    or(cpuRtRuntime, c == null ? null : c.realtimeRuntime()), or(cpuRtPeriod, c == null ? null : c.realtimePeriod()),
                    cpusetCpus != null ? cpusetCpus : c == null ? null : c.cpus(), cpusetMems != null ? cpusetMems : c == null ? null : c.mems(),
                    c == null ? null : c.idle());
        }
        if (pidsLimit != null) {
            p = new LinuxResources.Pids(pidsLimit);
        }
        if (blkioWeight != null) {
            b = new LinuxResources.BlockIo(blkioWeight, null, List.of(), List.of(), List.of(), List.of(), List.of());
        }
        // Device rules are not updated (runc's update has no device flags either).
        return new LinuxResources(List.of(), m, c, p, b, f == null ? List.of() : f.hugepageLimits(), f == null ? null : f.network(),
                f == null ? Map.of() : f.rdma(), f == null ? Map.of() : f.unified());
    }

    private static Long or(Long a, Long b) {
        return a != null ? a : b;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)i?b?", Pattern.CASE_INSENSITIVE);

    /** Bytes with an optional binary suffix (k, m, g, t), or -1. */
    static Long bytes(String s, String flag) throws CgroupCommands.Refused {
        if (s.trim().equals("-1")) {
            return -1L;
        }
        Matcher m = SIZE.matcher(s.trim());
        if (!m.matches()) {
            throw new CgroupCommands.Refused(flag + ": not a size in bytes (e.g. 104857600, 100m, 1g, or -1)");
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return (Long) (Long.parseLong(m.group(1)) << shift);
    }
}
