package dev.isthmus.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Writes the {@link Features} document as {@code runc features} does (pretty JSON). */
public final class FeaturesWriter {
    private FeaturesWriter() {}

    public static void write(Features f, OutputStream out) throws IOException {
        try (JsonOut o = new JsonOut(out, true)) {
            o.start();
            o.str("ociVersionMin", f.ociVersionMin());
            o.str("ociVersionMax", f.ociVersionMax());
            o.strings("hooks", f.hooks());
            o.strings("mountOptions", f.mountOptions());
            if (f.linux() != null) {
                linux(o, f.linux());
            }
            o.stringMap("annotations", f.annotations());
            o.strings("potentiallyUnsafeConfigAnnotations", f.potentiallyUnsafeConfigAnnotations());
            o.end();
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException("cannot write the features document", e);
        }
        out.write('\n');
    }

    public static byte[] toBytes(Features f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            write(f, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void linux(JsonOut o, Features.Linux l) {
        o.name("linux");
        o.start();
        o.strings("namespaces", l.namespaces());
        o.strings("capabilities", l.capabilities());
        if (l.cgroup() != null) {
            Features.Cgroup c = l.cgroup();
            o.name("cgroup");
            o.start();
            o.bool("v1", c.v1());
            o.bool("v2", c.v2());
            o.bool("systemd", c.systemd());
            o.bool("systemdUser", c.systemdUser());
            o.bool("rdma", c.rdma());
            o.end();
        }
        if (l.seccomp() != null) {
            Features.Seccomp s = l.seccomp();
            o.name("seccomp");
            o.start();
            o.bool("enabled", s.enabled());
            o.strings("actions", s.actions());
            o.strings("operators", s.operators());
            o.strings("archs", s.archs());
            o.strings("knownFlags", s.knownFlags());
            o.strings("supportedFlags", s.supportedFlags());
            o.end();
        }
        enabled(o, "apparmor", l.apparmor());
        enabled(o, "selinux", l.selinux());
        if (l.intelRdt() != null) {
            o.name("intelRdt");
            o.start();
            o.bool("enabled", l.intelRdt().enabled());
            o.bool("schemata", l.intelRdt().schemata());
            o.bool("monitoring", l.intelRdt().monitoring());
            o.end();
        }
        if (l.memoryPolicy() != null) {
            o.name("memoryPolicy");
            o.start();
            o.strings("modes", l.memoryPolicy().modes());
            o.strings("flags", l.memoryPolicy().flags());
            o.end();
        }
        if (l.mountExtensions() != null) {
            o.name("mountExtensions");
            o.start();
            enabled(o, "idmap", l.mountExtensions().idmap());
            o.end();
        }
        enabled(o, "netDevices", l.netDevices());
        o.end();
    }

    private static void enabled(JsonOut o, String name, Features.Enabled e) {
        if (e != null) {
            o.name(name);
            o.start();
            o.bool("enabled", e.enabled());
            o.end();
        }
    }
}
