package dev.isthmus.cgroup;

import dev.isthmus.spec.ConfigReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;

/**
 * A container's resource usage read from its cgroup files, written as the event objects of
 * {@code runc events}: {@code {"type":"stats","id":ID,"data":{"cpu":...,"memory":...,"pids":...,
 * "hugetlb":...}}}. Counters a hierarchy lacks are left out.
 */
public final class Stats {
    private Stats() {}

    /** Writes one stats event (no newline). */
    public static void write(Cgroup cg, String id, OutputStream out) throws IOException {
        try (JsonGenerator g = ConfigReader.factory().createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeStringProperty("type", "stats");
            g.writeStringProperty("id", id);
            g.writeName("data");
            g.writeStartObject();
            cpu(cg, g);
            memory(cg, g);
            pids(cg, g);
            hugetlb(cg, g);
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** Writes {"type":TYPE,"id":ID} (an event without data, e.g. oom). */
    public static void event(String type, String id, OutputStream out) throws IOException {
        try (JsonGenerator g = ConfigReader.factory().createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeStringProperty("type", type);
            g.writeStringProperty("id", id);
            g.writeEndObject();
        }
    }

    /** The number of OOM kills so far in the cgroup (v1 memory.oom_control or v2 memory.events oom_kill), -1 when unknown. */
    public static long oomKills(Cgroup cg) {
        if (!cg.holds("memory")) {
            return -1;
        }
        Path d = cg.dirOf("memory");
        Map<String, Long> m = keyed(Files.exists(d.resolve("memory.events")) ? d.resolve("memory.events") : d.resolve("memory.oom_control"));
        return m.getOrDefault("oom_kill", -1L);
    }

    private static void cpu(Cgroup cg, JsonGenerator g) {
        g.writeName("cpu");
        g.writeStartObject();
        g.writeName("usage");
        g.writeStartObject();
        if (cg.holds("cpuacct")) {
            Path d = cg.dirOf("cpuacct");
            num(g, "total", one(d.resolve("cpuacct.usage")));
            String percpu = text(d.resolve("cpuacct.usage_percpu"));
            if (percpu != null) {
                g.writeName("percpu");
                g.writeStartArray();
                for (String v : percpu.trim().split("\\s+")) {
                    if (!v.isEmpty()) {
                        g.writeNumber(Long.parseLong(v));
                    }
                }
                g.writeEndArray();
            }
            // cpuacct.stat counts USER_HZ ticks (100 per second): runc reports nanoseconds.
            Map<String, Long> st = keyed(d.resolve("cpuacct.stat"));
            num(g, "kernel", st.containsKey("system") ? st.get("system") * 10_000_000L : null);
            num(g, "user", st.containsKey("user") ? st.get("user") * 10_000_000L : null);
        } else if (cg.holds(ResourceWrites.V2_CORE)) {
            Map<String, Long> st = keyed(cg.dirOf(ResourceWrites.V2_CORE).resolve("cpu.stat"));
            num(g, "total", st.containsKey("usage_usec") ? st.get("usage_usec") * 1000 : null);
            num(g, "kernel", st.containsKey("system_usec") ? st.get("system_usec") * 1000 : null);
            num(g, "user", st.containsKey("user_usec") ? st.get("user_usec") * 1000 : null);
        }
        g.writeEndObject();
        Map<String, Long> st = cg.holds("cpu") ? keyed(cg.dirOf("cpu").resolve("cpu.stat")) : Map.of();
        g.writeName("throttling");
        g.writeStartObject();
        num(g, "periods", st.get("nr_periods"));
        num(g, "throttledPeriods", st.get("nr_throttled"));
        num(g, "throttledTime", st.containsKey("throttled_time") ? st.get("throttled_time")
                : st.containsKey("throttled_usec") ? st.get("throttled_usec") * 1000 : null);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void memory(Cgroup cg, JsonGenerator g) {
        if (!cg.holds("memory")) {
            return;
        }
        Path d = cg.dirOf("memory");
        g.writeName("memory");
        g.writeStartObject();
        boolean v2 = Files.exists(d.resolve("memory.current"));
        if (v2) {
            entry(g, "usage", one(d.resolve("memory.current")), one(d.resolve("memory.peak")), limit(d.resolve("memory.max")),
                    keyed(d.resolve("memory.events")).get("max"));
            entry(g, "swap", one(d.resolve("memory.swap.current")), one(d.resolve("memory.swap.peak")),
                    limit(d.resolve("memory.swap.max")), null);
        } else {
            entry(g, "usage", one(d.resolve("memory.usage_in_bytes")), one(d.resolve("memory.max_usage_in_bytes")),
                    one(d.resolve("memory.limit_in_bytes")), one(d.resolve("memory.failcnt")));
            entry(g, "swap", one(d.resolve("memory.memsw.usage_in_bytes")), one(d.resolve("memory.memsw.max_usage_in_bytes")),
                    one(d.resolve("memory.memsw.limit_in_bytes")), one(d.resolve("memory.memsw.failcnt")));
            entry(g, "kernel", one(d.resolve("memory.kmem.usage_in_bytes")), one(d.resolve("memory.kmem.max_usage_in_bytes")),
                    one(d.resolve("memory.kmem.limit_in_bytes")), one(d.resolve("memory.kmem.failcnt")));
        }
        Map<String, Long> raw = keyed(d.resolve("memory.stat"));
        g.writeName("raw");
        g.writeStartObject();
        for (Map.Entry<String, Long> e : raw.entrySet()) {
            g.writeNumberProperty(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void entry(JsonGenerator g, String name, Long usage, Long max, Long limit, Long failcnt) {
        if (usage == null && limit == null) {
            return;
        }
        g.writeName(name);
        g.writeStartObject();
        num(g, "limit", limit);
        num(g, "usage", usage);
        num(g, "max", max);
        num(g, "failcnt", failcnt);
        g.writeEndObject();
    }

    private static void pids(Cgroup cg, JsonGenerator g) {
        if (!cg.holds("pids")) {
            return;
        }
        Path d = cg.dirOf("pids");
        g.writeName("pids");
        g.writeStartObject();
        num(g, "current", one(d.resolve("pids.current")));
        Long l = limit(d.resolve("pids.max"));
        num(g, "limit", l == null || l < 0 ? 0L : l); // runc: 0 means no limit
        g.writeEndObject();
    }

    private static void hugetlb(Cgroup cg, JsonGenerator g) {
        if (!cg.holds("hugetlb")) {
            return;
        }
        Path d = cg.dirOf("hugetlb");
        Map<String, Long[]> sizes = new LinkedHashMap<>();
        try (var files = Files.list(d)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                String[] p = n.split("\\.");
                if (p.length >= 3 && p[0].equals("hugetlb") && !n.contains(".rsvd.")) {
                    Long[] v = sizes.computeIfAbsent(p[1], k -> new Long[3]);
                    switch (n.substring(("hugetlb." + p[1] + ".").length())) {
                        case "usage_in_bytes", "current" -> v[0] = one(f);
                        case "max_usage_in_bytes" -> v[1] = one(f);
                        case "failcnt" -> v[2] = one(f);
                        case "events" -> v[2] = keyed(f).get("max");
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            return;
        }
        g.writeName("hugetlb");
        g.writeStartObject();
        for (Map.Entry<String, Long[]> e : sizes.entrySet()) {
            g.writeName(e.getKey());
            g.writeStartObject();
            num(g, "usage", e.getValue()[0]);
            num(g, "max", e.getValue()[1]);
            num(g, "failcnt", e.getValue()[2]);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void num(JsonGenerator g, String name, Long v) {
        if (v != null) {
            g.writeNumberProperty(name, v);
        }
    }

    private static String text(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return null;
        }
    }

    /** A file holding one number (unsigned values above Long.MAX_VALUE are clamped), or null. */
    static Long one(Path f) {
        String t = text(f);
        if (t == null || t.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(t.trim());
        } catch (NumberFormatException e) {
            return t.trim().equals("max") ? -1L : Long.MAX_VALUE;
        }
    }

    /** Like {@link #one} with "max" as -1. */
    private static Long limit(Path f) {
        return one(f);
    }

    /** "key value" lines. */
    static Map<String, Long> keyed(Path f) {
        Map<String, Long> m = new LinkedHashMap<>();
        String t = text(f);
        if (t == null) {
            return m;
        }
        for (String line : List.of(t.split("\n"))) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    m.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // not a counter
                }
            }
        }
        return m;
    }
}
