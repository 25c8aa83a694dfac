package dev.isthmus.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes a {@link Config} as pretty-printed {@code config.json} with the spec's field names. Null objects, empty
 * lists and maps and false booleans are left out (all optional in the spec); a present but empty object (e.g.
 * {@code "hooks": {}}) is kept, so that {@code ConfigReader.parse(write(c))} equals {@code c}.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** Writes to {@code out} (left open), followed by a newline. */
    public static void write(Config config, OutputStream out) throws IOException {
        try (JsonOut o = new JsonOut(out, true)) {
            new ConfigWriter.Impl(o).config(config);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException("cannot write the config", e);
        }
        out.write('\n');
    }

    /** The document as UTF-8 bytes. */
    public static byte[] toBytes(Config config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            write(config, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private record Impl(JsonOut o) {
        void config(Config c) {
            o.start();
            o.str("ociVersion", c.ociVersion());
            if (c.process() != null) {
                o.name("process");
                process(c.process());
            }
            if (c.root() != null) {
                o.name("root");
                o.start();
                o.str("path", c.root().path());
                o.flag("readonly", c.root().readonly());
                o.end();
            }
            o.str("hostname", c.hostname());
            o.str("domainname", c.domainname());
            o.list("mounts", c.mounts(), this::mount);
            if (c.hooks() != null) {
                o.name("hooks");
                hooks(c.hooks());
            }
            o.stringMap("annotations", c.annotations());
            if (c.linux() != null) {
                o.name("linux");
                linux(c.linux());
            }
            o.end();
        }

        void process(Process p) {
            o.start();
            o.flag("terminal", p.terminal());
            if (p.consoleSize() != null) {
                o.name("consoleSize");
                o.start();
                o.num("height", p.consoleSize().height());
                o.num("width", p.consoleSize().width());
                o.end();
            }
            if (p.user() != null) {
                User u = p.user();
                o.name("user");
                o.start();
                o.num("uid", u.uid());
                o.num("gid", u.gid());
                o.num("umask", u.umask());
                o.list("additionalGids", u.additionalGids(), g -> o.g.writeNumber(g.longValue()));
                o.str("username", u.username());
                o.end();
            }
            o.strings("args", p.args());
            o.str("commandLine", p.commandLine());
            o.strings("env", p.env());
            o.str("cwd", p.cwd());
            if (p.capabilities() != null) {
                Capabilities caps = p.capabilities();
                o.name("capabilities");
                o.start();
                o.strings("bounding", caps.bounding());
                o.strings("effective", caps.effective());
                o.strings("inheritable", caps.inheritable());
                o.strings("permitted", caps.permitted());
                o.strings("ambient", caps.ambient());
                o.end();
            }
            o.list("rlimits", p.rlimits(), r -> {
                o.start();
                o.str("type", r.type());
                o.unsigned("hard", r.hard());
                o.unsigned("soft", r.soft());
                o.end();
            });
            o.flag("noNewPrivileges", p.noNewPrivileges());
            o.str("apparmorProfile", p.apparmorProfile());
            o.num("oomScoreAdj", p.oomScoreAdj());
            o.str("selinuxLabel", p.selinuxLabel());
            if (p.ioPriority() != null) {
                o.name("ioPriority");
                o.start();
                o.str("class", p.ioPriority().ioClass());
                o.num("priority", p.ioPriority().priority());
                o.end();
            }
            if (p.scheduler() != null) {
                Scheduler s = p.scheduler();
                o.name("scheduler");
                o.start();
                o.str("policy", s.policy());
                o.num("nice", s.nice());
                o.num("priority", s.priority());
                o.strings("flags", s.flags());
                o.unsigned("runtime", s.runtime());
                o.unsigned("deadline", s.deadline());
                o.unsigned("period", s.period());
                o.end();
            }
            if (p.execCPUAffinity() != null) {
                o.name("execCPUAffinity");
                o.start();
                o.str("initial", p.execCPUAffinity().initial());
                o.str("final", p.execCPUAffinity().finalCpus());
                o.end();
            }
            o.end();
        }

        void mount(Mount m) {
            o.start();
            o.str("destination", m.destination());
            o.str("type", m.type());
            o.str("source", m.source());
            o.strings("options", m.options());
            o.list("uidMappings", m.uidMappings(), this::idMapping);
            o.list("gidMappings", m.gidMappings(), this::idMapping);
            o.end();
        }

        void idMapping(IdMapping m) {
            o.start();
            o.num("containerID", m.containerID());
            o.num("hostID", m.hostID());
            o.num("size", m.size());
            o.end();
        }

        void hooks(Hooks h) {
            o.start();
            o.list("prestart", h.prestart(), this::hook);
            o.list("createRuntime", h.createRuntime(), this::hook);
            o.list("createContainer", h.createContainer(), this::hook);
            o.list("startContainer", h.startContainer(), this::hook);
            o.list("poststart", h.poststart(), this::hook);
            o.list("poststop", h.poststop(), this::hook);
            o.end();
        }

        void hook(Hook h) {
            o.start();
            o.str("path", h.path());
            o.strings("args", h.args());
            o.strings("env", h.env());
            o.num("timeout", h.timeout());
            o.end();
        }

        void linux(Linux l) {
            o.start();
            o.list("uidMappings", l.uidMappings(), this::idMapping);
            o.list("gidMappings", l.gidMappings(), this::idMapping);
            o.stringMap("sysctl", l.sysctl());
            if (l.resources() != null) {
                o.name("resources");
                resources(l.resources());
            }
            o.str("cgroupsPath", l.cgroupsPath());
            o.list("namespaces", l.namespaces(), ns -> {
                o.start();
                o.str("type", ns.type().specName());
                o.str("path", ns.path());
                o.end();
            });
            o.list("devices", l.devices(), d -> {
                o.start();
                o.str("path", d.path());
                o.str("type", d.type());
                if (!"p".equals(d.type()) || d.major() != 0 || d.minor() != 0) {
                    o.num("major", d.major());
                    o.num("minor", d.minor());
                }
                o.num("fileMode", d.fileMode());
                o.num("uid", d.uid());
                o.num("gid", d.gid());
                o.end();
            });
            if (l.seccomp() != null) {
                o.name("seccomp");
                seccomp(l.seccomp());
            }
            o.str("rootfsPropagation", l.rootfsPropagation());
            o.strings("maskedPaths", l.maskedPaths());
            o.strings("readonlyPaths", l.readonlyPaths());
            o.str("mountLabel", l.mountLabel());
            if (l.personality() != null) {
                o.name("personality");
                o.start();
                o.str("domain", l.personality().domain());
                o.strings("flags", l.personality().flags());
                o.end();
            }
            if (l.intelRdt() != null) {
                IntelRdt r = l.intelRdt();
                o.name("intelRdt");
                o.start();
                o.str("closID", r.closID());
                o.str("l3CacheSchema", r.l3CacheSchema());
                o.str("memBwSchema", r.memBwSchema());
                o.strings("schemata", r.schemata());
                o.bool("enableMonitoring", r.enableMonitoring());
                o.end();
            }
            o.map("timeOffsets", l.timeOffsets(), t -> {
                o.start();
                o.num("secs", t.secs());
                o.num("nanosecs", t.nanosecs());
                o.end();
            });
            o.map("netDevices", l.netDevices(), d -> {
                o.start();
                o.str("name", d.name());
                o.end();
            });
            if (l.memoryPolicy() != null) {
                o.name("memoryPolicy");
                o.start();
                o.str("mode", l.memoryPolicy().mode());
                o.str("nodes", l.memoryPolicy().nodes());
                o.strings("flags", l.memoryPolicy().flags());
                o.end();
            }
            o.end();
        }

        void resources(LinuxResources r) {
            o.start();
            o.list("devices", r.devices(), d -> {
                o.start();
                o.bool("allow", d.allow());
                o.str("type", d.type());
                o.num("major", d.major());
                o.num("minor", d.minor());
                o.str("access", d.access());
                o.end();
            });
            if (r.memory() != null) {
                LinuxResources.Memory m = r.memory();
                o.name("memory");
                o.start();
                o.num("limit", m.limit());
                o.num("reservation", m.reservation());
                o.num("swap", m.swap());
                o.num("kernel", m.kernel());
                o.num("kernelTCP", m.kernelTCP());
                o.unsigned("swappiness", m.swappiness());
                o.bool("disableOOMKiller", m.disableOOMKiller());
                o.bool("useHierarchy", m.useHierarchy());
                o.bool("checkBeforeUpdate", m.checkBeforeUpdate());
                o.end();
            }
            if (r.cpu() != null) {
                LinuxResources.Cpu c = r.cpu();
                o.name("cpu");
                o.start();
                o.unsigned("shares", c.shares());
                o.num("quota", c.quota());
                o.unsigned("burst", c.burst());
                o.unsigned("period", c.period());
                o.num("realtimeRuntime", c.realtimeRuntime());
                o.unsigned("realtimePeriod", c.realtimePeriod());
                o.str("cpus", c.cpus());
                o.str("mems", c.mems());
                o.num("idle", c.idle());
                o.end();
            }
            if (r.pids() != null) {
                o.name("pids");
                o.start();
                o.num("limit", r.pids().limit());
                o.end();
            }
            if (r.blockIO() != null) {
                LinuxResources.BlockIo b = r.blockIO();
                o.name("blockIO");
                o.start();
                o.num("weight", b.weight());
                o.num("leafWeight", b.leafWeight());
                o.list("weightDevice", b.weightDevice(), w -> {
                    o.start();
                    o.num("major", w.major());
                    o.num("minor", w.minor());
                    o.num("weight", w.weight());
                    o.num("leafWeight", w.leafWeight());
                    o.end();
                });
                o.list("throttleReadBpsDevice", b.throttleReadBpsDevice(), this::throttle);
                o.list("throttleWriteBpsDevice", b.throttleWriteBpsDevice(), this::throttle);
                o.list("throttleReadIOPSDevice", b.throttleReadIOPSDevice(), this::throttle);
                o.list("throttleWriteIOPSDevice", b.throttleWriteIOPSDevice(), this::throttle);
                o.end();
            }
            o.list("hugepageLimits", r.hugepageLimits(), h -> {
                o.start();
                o.str("pageSize", h.pageSize());
                o.unsigned("limit", h.limit());
                o.end();
            });
            if (r.network() != null) {
                o.name("network");
                o.start();
                o.num("classID", r.network().classID());
                o.list("priorities", r.network().priorities(), ip -> {
                    o.start();
                    o.str("name", ip.name());
                    o.num("priority", ip.priority());
                    o.end();
                });
                o.end();
            }
            o.map("rdma", r.rdma(), d -> {
                o.start();
                o.num("hcaHandles", d.hcaHandles());
                o.num("hcaObjects", d.hcaObjects());
                o.end();
            });
            o.stringMap("unified", r.unified());
            o.end();
        }

        void throttle(LinuxResources.ThrottleDevice t) {
            o.start();
            o.num("major", t.major());
            o.num("minor", t.minor());
            o.unsigned("rate", t.rate());
            o.end();
        }

        void seccomp(LinuxSeccomp s) {
            o.start();
            o.str("defaultAction", s.defaultAction());
            o.num("defaultErrnoRet", s.defaultErrnoRet());
            o.strings("architectures", s.architectures());
            o.strings("flags", s.flags());
            o.str("listenerPath", s.listenerPath());
            o.str("listenerMetadata", s.listenerMetadata());
            o.list("syscalls", s.syscalls(), sc -> {
                o.start();
                o.strings("names", sc.names());
                o.str("action", sc.action());
                o.num("errnoRet", sc.errnoRet());
                o.list("args", sc.args(), a -> {
                    o.start();
                    o.num("index", a.index());
                    o.unsigned("value", a.value());
                    o.unsigned("valueTwo", a.valueTwo());
                    o.str("op", a.op());
                    o.end();
                });
                o.end();
            });
            o.end();
        }
    }
}
