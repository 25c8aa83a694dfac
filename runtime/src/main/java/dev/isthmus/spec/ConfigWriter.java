package dev.isthmus.spec;

import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.util.DefaultPrettyPrinter;

/** Writes a {@link Config} as config.json, with the spec's names; absent and empty optional values are left out. */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** Pretty-printed output, as runc writes config.json. */
    static final ObjectWriteContext PRETTY = new ObjectWriteContext.Base() {
        @Override
        public tools.jackson.core.PrettyPrinter getPrettyPrinter() {
            return new DefaultPrettyPrinter();
        }

        @Override
        public boolean hasPrettyPrinter() {
            return true;
        }
    };

    public static void write(Config c, OutputStream out) {
        try (JsonGenerator g = ConfigReader.FACTORY.createGenerator(PRETTY, out)) {
            new W(g).config(c);
            g.writeRaw('\n');
        }
    }

    private record W(JsonGenerator g) {
        void config(Config c) {
            g.writeStartObject();
            str("ociVersion", c.ociVersion());
            if (c.process() != null) {
                g.writeName("process");
                process(c.process());
            }
            if (c.root() != null) {
                g.writeName("root");
                g.writeStartObject();
                str("path", c.root().path());
                if (c.root().readonly()) {
                    g.writeBooleanProperty("readonly", true);
                }
                g.writeEndObject();
            }
            str("hostname", c.hostname());
            str("domainname", c.domainname());
            if (!c.mounts().isEmpty()) {
                g.writeName("mounts");
                g.writeStartArray();
                for (Mount m : c.mounts()) {
                    g.writeStartObject();
                    str("destination", m.destination());
                    str("type", m.type());
                    str("source", m.source());
                    strs("options", m.options());
                    maps("uidMappings", m.uidMappings());
                    maps("gidMappings", m.gidMappings());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (c.hooks() != null) {
                hooks(c.hooks());
            }
            strMap("annotations", c.annotations());
            if (c.linux() != null) {
                g.writeName("linux");
                linux(c.linux());
            }
            g.writeEndObject();
        }

        void process(Process p) {
            g.writeStartObject();
            if (p.terminal()) {
                g.writeBooleanProperty("terminal", true);
            }
            if (p.consoleSize() != null) {
                g.writeName("consoleSize");
                g.writeStartObject();
                g.writeNumberProperty("height", p.consoleSize().height());
                g.writeNumberProperty("width", p.consoleSize().width());
                g.writeEndObject();
            }
            if (p.user() != null) {
                User u = p.user();
                g.writeName("user");
                g.writeStartObject();
                g.writeNumberProperty("uid", u.uid());
                g.writeNumberProperty("gid", u.gid());
                if (u.umask() != null) {
                    g.writeNumberProperty("umask", u.umask());
                }
                if (!u.additionalGids().isEmpty()) {
                    g.writeName("additionalGids");
                    g.writeStartArray();
                    for (long gid : u.additionalGids()) {
                        g.writeNumber(gid);
                    }
                    g.writeEndArray();
                }
                str("username", u.username());
                g.writeEndObject();
            }
            strs("args", p.args());
            str("commandLine", p.commandLine());
            strs("env", p.env());
            str("cwd", p.cwd());
            if (p.capabilities() != null) {
                Capabilities caps = p.capabilities();
                g.writeName("capabilities");
                g.writeStartObject();
                strs("bounding", caps.bounding());
                strs("effective", caps.effective());
                strs("inheritable", caps.inheritable());
                strs("permitted", caps.permitted());
                strs("ambient", caps.ambient());
                g.writeEndObject();
            }
            if (!p.rlimits().isEmpty()) {
                g.writeName("rlimits");
                g.writeStartArray();
                for (Rlimit r : p.rlimits()) {
                    g.writeStartObject();
                    str("type", r.type());
                    unsigned("hard", r.hard());
                    unsigned("soft", r.soft());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (p.noNewPrivileges()) {
                g.writeBooleanProperty("noNewPrivileges", true);
            }
            str("apparmorProfile", p.apparmorProfile());
            if (p.oomScoreAdj() != null) {
                g.writeNumberProperty("oomScoreAdj", p.oomScoreAdj());
            }
            str("selinuxLabel", p.selinuxLabel());
            if (p.ioPriority() != null) {
                g.writeName("ioPriority");
                g.writeStartObject();
                str("class", p.ioPriority().ioClass());
                g.writeNumberProperty("priority", p.ioPriority().priority());
                g.writeEndObject();
            }
            if (p.scheduler() != null) {
                Scheduler s = p.scheduler();
                g.writeName("scheduler");
                g.writeStartObject();
                str("policy", s.policy());
                num("nice", s.nice());
                num("priority", s.priority());
                strs("flags", s.flags());
                num("runtime", s.runtime());
                num("deadline", s.deadline());
                num("period", s.period());
                g.writeEndObject();
            }
            if (p.execCPUAffinity() != null) {
                g.writeName("execCPUAffinity");
                g.writeStartObject();
                str("initial", p.execCPUAffinity().initial());
                str("final", p.execCPUAffinity().finalAffinity());
                g.writeEndObject();
            }
            g.writeEndObject();
        }

        void hooks(Hooks h) {
            g.writeName("hooks");
            g.writeStartObject();
            hookList("prestart", h.prestart());
            hookList("createRuntime", h.createRuntime());
            hookList("createContainer", h.createContainer());
            hookList("startContainer", h.startContainer());
            hookList("poststart", h.poststart());
            hookList("poststop", h.poststop());
            g.writeEndObject();
        }

        void hookList(String name, List<Hook> hooks) {
            if (hooks.isEmpty()) {
                return;
            }
            g.writeName(name);
            g.writeStartArray();
            for (Hook h : hooks) {
                g.writeStartObject();
                str("path", h.path());
                strs("args", h.args());
                strs("env", h.env());
                num("timeout", h.timeout());
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        void linux(Linux l) {
            g.writeStartObject();
            if (!l.namespaces().isEmpty()) {
                g.writeName("namespaces");
                g.writeStartArray();
                for (LinuxNamespace ns : l.namespaces()) {
                    g.writeStartObject();
                    str("type", ns.type().specName());
                    str("path", ns.path());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            maps("uidMappings", l.uidMappings());
            maps("gidMappings", l.gidMappings());
            if (!l.devices().isEmpty()) {
                g.writeName("devices");
                g.writeStartArray();
                for (LinuxDevice d : l.devices()) {
                    g.writeStartObject();
                    str("path", d.path());
                    str("type", d.type());
                    g.writeNumberProperty("major", d.major());
                    g.writeNumberProperty("minor", d.minor());
                    num("fileMode", d.fileMode());
                    num("uid", d.uid());
                    num("gid", d.gid());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            str("cgroupsPath", l.cgroupsPath());
            any("resources", l.resources());
            strMap("sysctl", l.sysctl());
            any("seccomp", l.seccomp());
            str("rootfsPropagation", l.rootfsPropagation());
            strs("maskedPaths", l.maskedPaths());
            strs("readonlyPaths", l.readonlyPaths());
            str("mountLabel", l.mountLabel());
            if (l.personality() != null) {
                g.writeName("personality");
                g.writeStartObject();
                str("domain", l.personality().domain());
                strs("flags", l.personality().flags());
                g.writeEndObject();
            }
            any("intelRdt", l.intelRdt());
            if (!l.timeOffsets().isEmpty()) {
                g.writeName("timeOffsets");
                g.writeStartObject();
                for (Map.Entry<String, TimeOffset> e : l.timeOffsets().entrySet()) {
                    g.writeName(e.getKey());
                    g.writeStartObject();
                    g.writeNumberProperty("secs", e.getValue().secs());
                    g.writeNumberProperty("nanosecs", e.getValue().nanosecs());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }

        void str(String name, String v) {
            if (v != null) {
                g.writeStringProperty(name, v);
            }
        }

        void num(String name, Number v) {
            if (v != null) {
                g.writeNumberProperty(name, v.longValue());
            }
        }

        /** uint64 fields (rlimits): values above Long.MAX_VALUE were kept as their bits. */
        void unsigned(String name, long v) {
            g.writeName(name);
            if (v < 0) {
                g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(v)));
            } else {
                g.writeNumber(v);
            }
        }

        void strs(String name, List<String> v) {
            if (v.isEmpty()) {
                return;
            }
            g.writeName(name);
            g.writeStartArray();
            for (String s : v) {
                g.writeString(s);
            }
            g.writeEndArray();
        }

        void strMap(String name, Map<String, String> m) {
            if (m.isEmpty()) {
                return;
            }
            g.writeName(name);
            g.writeStartObject();
            for (Map.Entry<String, String> e : m.entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }

        void maps(String name, List<IdMapping> maps) {
            if (maps.isEmpty()) {
                return;
            }
            g.writeName(name);
            g.writeStartArray();
            for (IdMapping m : maps) {
                g.writeStartObject();
                g.writeNumberProperty("containerID", m.containerID());
                g.writeNumberProperty("hostID", m.hostID());
                g.writeNumberProperty("size", m.size());
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        void any(String name, Object v) {
            if (v == null) {
                return;
            }
            g.writeName(name);
            value(v);
        }

        void value(Object v) {
            switch (v) {
                case null -> g.writeNull();
                case Map<?, ?> m -> {
                    g.writeStartObject();
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        g.writeName((String) e.getKey());
                        value(e.getValue());
                    }
                    g.writeEndObject();
                }
                case List<?> l -> {
                    g.writeStartArray();
                    for (Object o : l) {
                        value(o);
                    }
                    g.writeEndArray();
                }
                case String s -> g.writeString(s);
                case Long n -> g.writeNumber(n);
                case java.math.BigInteger n -> g.writeNumber(n);
                case Double d -> g.writeNumber(d);
                case Boolean b -> g.writeBoolean(b);
                default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass().getSimpleName());
            }
        }
    }
}
