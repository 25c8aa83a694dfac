package dev.isthmus.plan;

import static dev.isthmus.plan.Arg.imm;
import static dev.isthmus.plan.Arg.str;

import dev.isthmus.ffm.Linux;
import dev.isthmus.spec.Capabilities;
import dev.isthmus.spec.CapabilityNames;
import dev.isthmus.spec.Config;
import dev.isthmus.spec.LinuxPersonality;
import dev.isthmus.spec.NamespaceType;
import dev.isthmus.sys.Syscall;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps of the process's security settings that are not mounts: non-dumpable, the OOM score,
 * sysctl, personality and capabilities (capabilities(7): the bounding set is dropped while the
 * process still has CAP_SETPCAP, keep-caps carries the permitted set across the switch to a
 * non-root uid, then capset(2) sets effective, permitted and inheritable exactly as configured, so
 * nothing is inherited beyond the config, and the ambient set is cleared and raised).
 */
final class SecuritySteps {
    private SecuritySteps() {}

    private static final long PR_SET_DUMPABLE = Linux.PR_SET_DUMPABLE();
    private static final long PR_SET_KEEPCAPS = Linux.PR_SET_KEEPCAPS();
    private static final long PR_CAPBSET_DROP = Linux.PR_CAPBSET_DROP();
    private static final long PR_CAP_AMBIENT = Linux.PR_CAP_AMBIENT();
    private static final long PR_CAP_AMBIENT_CLEAR_ALL = Linux.PR_CAP_AMBIENT_CLEAR_ALL();
    private static final long PR_CAP_AMBIENT_RAISE = Linux.PR_CAP_AMBIENT_RAISE();
    private static final int CAP_VERSION_3 = Linux._LINUX_CAPABILITY_VERSION_3();

    /**
     * Non-dumpable (PR_SET_DUMPABLE 0) until execve: nothing in the namespaces the process is
     * about to join may ptrace it or open its /proc files; execve makes the program dumpable again.
     */
    static Step nonDumpable() {
        return Step.of(Syscall.PRCTL, "make the process non-dumpable until exec", imm(PR_SET_DUMPABLE, "PR_SET_DUMPABLE"), imm(0),
                imm(0), imm(0), imm(0));
    }

    /** process.oomScoreAdj through /proc/self/oom_score_adj (the host's /proc: before the mounts). */
    static void oomScoreAdj(List<Step> steps, Integer value, int slot) throws PlanException {
        String text = checkedOomScoreAdj(value);
        if (!text.isEmpty()) {
            writeFile(steps, "/proc/self/oom_score_adj", text, "set process.oomScoreAdj " + text, slot);
        }
    }

    /** process.oomScoreAdj as the text oom_score_adj takes ("" for none), checked. */
    static String checkedOomScoreAdj(Integer value) throws PlanException {
        if (value == null) {
            return "";
        }
        if (value < -1000 || value > 1000) {
            throw new PlanException("process.oomScoreAdj", value + " is outside -1000..1000");
        }
        return Integer.toString(value);
    }

    /**
     * linux.sysctl, written to /proc/sys by the process once in the container's namespaces (which
     * is what those files show to it). Only namespaced keys, and only when the config gives the container that namespace
     * of its own: anything else would change the host. The files are opened beneath the
     * runtime's own /proc ({@code procSlot}, see {@link #procWrite}), never through a /proc of a
     * mount namespace the container joined or controls (CVE-2025-52881).
     */
    static void sysctl(List<Step> steps, Config config, Set<NamespaceType> ownNamespaces, int slot, int procSlot) throws PlanException {
        if (config.linux() == null) {
            return;
        }
        for (Map.Entry<String, String> e : config.linux().sysctl().entrySet()) {
            String key = e.getKey();
            String field = "linux.sysctl." + key;
            if (key.isEmpty() || key.contains("..") || key.startsWith(".") || key.contains("/")) {
                throw new PlanException(field, "not a sysctl name");
            }
            NamespaceType needs = namespaceOf(key);
            if (needs == null) {
                throw new PlanException(field, "not a namespaced sysctl: setting it would change the host");
            }
            if (!ownNamespaces.contains(needs)) {
                throw new PlanException(field, "needs a " + needs.specName() + " namespace of the container's own");
            }
            procWrite(steps, procSlot, "sys/" + key.replace('.', '/'), e.getValue(), "set sysctl " + key, slot);
        }
    }

    /** The namespace a sysctl belongs to (as runc and the kernel's ipc/uts/net namespaces have them), or null. */
    private static NamespaceType namespaceOf(String key) {
        if (key.equals("kernel.hostname") || key.equals("kernel.domainname")) {
            return NamespaceType.UTS;
        }
        if (key.startsWith("kernel.msg") || key.startsWith("kernel.shm") || key.equals("kernel.sem")
                || key.startsWith("fs.mqueue.")) {
            return NamespaceType.IPC;
        }
        if (key.startsWith("net.")) {
            return NamespaceType.NETWORK;
        }
        return null;
    }

    /** linux.personality: domain LINUX or LINUX32 (the spec defines no flags yet). */
    static void personality(List<Step> steps, LinuxPersonality p) throws PlanException {
        if (p == null) {
            return;
        }
        long persona;
        switch (p.domain() == null ? "" : p.domain()) {
            case "LINUX" -> persona = Linux.PER_LINUX();
            case "LINUX32" -> persona = Linux.PER_LINUX32();
            default -> throw new PlanException("linux.personality.domain", "must be LINUX or LINUX32, not \"" + p.domain() + "\"");
        }
        if (!p.flags().isEmpty()) {
            throw new PlanException("linux.personality.flags", "the runtime spec defines no flag values");
        }
        steps.add(Step.of(Syscall.PERSONALITY, "set the personality " + p.domain(), imm(persona, "PER_" + p.domain())));
    }

    /**
     * The LSM labels: process.apparmorProfile ("exec PROFILE" to /proc/self/attr/apparmor/exec)
     * and process.selinuxLabel (to /proc/self/attr/exec), which the kernel applies at execve; they
     * are written through the runtime's own /proc ({@code procSlot}), never the container's: a
     * container that mounts or links something over its /proc/self/attr must not turn the label
     * write into a write of another file, or drop the label (CVE-2025-52881). The kernel lets
     * only the process itself write them, and only through an fd it opened after its last exec
     * (the image's), so the write happens in the image. linux.mountLabel (the context= of new
     * mounts, see Planner) needs SELinux. Each is refused, naming the field, on a host without
     * that LSM rather than silently dropped.
     */
    static void labels(List<Step> steps, Config config, Host host, int slot, int procSlot) throws PlanException {
        var p = config.process();
        if (p.apparmorProfile() != null && !p.apparmorProfile().isEmpty()) {
            if (!host.appArmor()) {
                throw new PlanException("process.apparmorProfile", "this host has no AppArmor enabled "
                        + "(/sys/module/apparmor/parameters/enabled is not Y): the profile cannot be applied");
            }
            procWrite(steps, procSlot, "self/attr/apparmor/exec", "exec " + p.apparmorProfile(),
                    "set the AppArmor profile " + p.apparmorProfile() + " for exec", slot);
        }
        if (p.selinuxLabel() != null && !p.selinuxLabel().isEmpty()) {
            if (!host.seLinux()) {
                throw new PlanException("process.selinuxLabel", "this host has no SELinux (no /sys/fs/selinux): the label cannot be applied");
            }
            procWrite(steps, procSlot, "self/attr/exec", p.selinuxLabel(), "set the SELinux label " + p.selinuxLabel() + " for exec", slot);
        }
        if (config.linux() != null && config.linux().mountLabel() != null && !config.linux().mountLabel().isEmpty() && !host.seLinux()) {
            throw new PlanException("linux.mountLabel", "this host has no SELinux (no /sys/fs/selinux): the label cannot be applied");
        }
    }

    /** Whether the process has an LSM label to write (see {@link #labels}). */
    static boolean hasLabels(Config config) {
        var p = config.process();
        return p != null && (p.apparmorProfile() != null && !p.apparmorProfile().isEmpty()
                || p.selinuxLabel() != null && !p.selinuxLabel().isEmpty());
    }

    /**
     * Before the uid switch: keep the permitted set across it and drop from the bounding set
     * every capability up to {@code lastCap} that the config does not list.
     */
    static void beforeUserSwitch(List<Step> steps, Capabilities caps, int lastCap) throws PlanException {
        if (caps == null) {
            return;
        }
        check(caps);
        steps.add(Step.of(Syscall.PRCTL, "keep the permitted capabilities across the uid switch", imm(PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS"),
                imm(1), imm(0), imm(0), imm(0)));
        long bounding = mask(caps.bounding());
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((bounding & (1L << cap)) == 0) {
                String name = CapabilityNames.format(cap);
                steps.add(Step.of(Syscall.PRCTL, "drop " + name + " from the bounding set", imm(PR_CAPBSET_DROP, "PR_CAPBSET_DROP"),
                        imm(cap, name), imm(0), imm(0), imm(0)));
            }
        }
    }

    /** After the uid switch: the effective, permitted and inheritable sets exactly, then the ambient set. */
    static void afterUserSwitch(List<Step> steps, Capabilities caps, int lastCap) {
        if (caps == null) {
            return;
        }
        // Capabilities this kernel does not have are left out (runc does the same); the names are valid.
        long known = lastCap >= 63 ? -1L : (1L << (lastCap + 1)) - 1;
        long e = mask(caps.effective()) & known;
        long p = mask(caps.permitted()) & known;
        long i = mask(caps.inheritable()) & known;
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(CAP_VERSION_3).putInt(0);
        // struct __user_cap_data_struct[2] {effective, permitted, inheritable}: low 32 bits, then high
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt((int) e).putInt((int) p).putInt((int) i);
        data.putInt((int) (e >>> 32)).putInt((int) (p >>> 32)).putInt((int) (i >>> 32));
        steps.add(Step.of(Syscall.CAPSET, "set the effective, permitted and inheritable capabilities",
                new Arg.Bytes(header.array(), "{_LINUX_CAPABILITY_VERSION_3, 0}"),
                new Arg.Bytes(data.array(), "{eff=" + names(caps.effective()) + ", prm=" + names(caps.permitted()) + ", inh="
                        + names(caps.inheritable()) + "}")));
        steps.add(Step.of(Syscall.PRCTL, "clear the ambient capabilities", imm(PR_CAP_AMBIENT, "PR_CAP_AMBIENT"),
                imm(PR_CAP_AMBIENT_CLEAR_ALL, "PR_CAP_AMBIENT_CLEAR_ALL"), imm(0), imm(0), imm(0)));
        for (String name : caps.ambient()) {
            // The kernel raises only what is both permitted and inheritable; runc skips the rest
            // with a warning, and clients (buildah) send such sets: skipped here too.
            if (CapabilityNames.parse(name) > lastCap || (p & bit(name)) == 0 || (i & bit(name)) == 0) {
                continue;
            }
            steps.add(Step.of(Syscall.PRCTL, "raise " + name + " in the ambient set", imm(PR_CAP_AMBIENT, "PR_CAP_AMBIENT"),
                    imm(PR_CAP_AMBIENT_RAISE, "PR_CAP_AMBIENT_RAISE"), imm(CapabilityNames.parse(name), name), imm(0), imm(0)));
        }
    }

    /** What the kernel would refuse (capset's EPERM) without saying which capability: said here, naming the field. */
    private static void check(Capabilities caps) throws PlanException {
        long p = mask(caps.permitted());
        long i = mask(caps.inheritable());
        for (String name : caps.effective()) {
            if ((p & bit(name)) == 0) {
                throw new PlanException("process.capabilities.effective", name + " is not in the permitted set");
            }
        }
    }

    private static long bit(String name) {
        return 1L << CapabilityNames.parse(name);
    }

    private static long mask(List<String> names) {
        long m = 0;
        for (String n : names) {
            m |= bit(n);
        }
        return m;
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "[]" : names.toString().replace(" ", "");
    }

    /**
     * open, write and close {@code rel} beneath the procfs directory fd in {@code procSlot}:
     * openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS, so neither ".." nor a magic link
     * leaves that procfs ("self" is a plain symlink, relative, and stays beneath it).
     */
    static void procWrite(List<Step> steps, int procSlot, String rel, String text, String what, int slot) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        long resolve = dev.isthmus.sys.K.RESOLVE_BENEATH | dev.isthmus.sys.K.RESOLVE_NO_MAGICLINKS;
        steps.add(new Step(Syscall.OPENAT2, List.of(new Arg.Slot(procSlot), str(rel),
                new Arg.Bytes(dev.isthmus.sys.K.openHow(dev.isthmus.sys.K.O_WRONLY | dev.isthmus.sys.K.O_CLOEXEC, 0, resolve),
                        "{flags=O_WRONLY|O_CLOEXEC, resolve=RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS}"), imm(24)),
                Step.CHECK | Step.STORE, slot, 0, what + ": open /proc/" + rel + " (the runtime's /proc)"));
        steps.add(Step.of(Syscall.WRITE, what, new Arg.Slot(slot), new Arg.Bytes(b, "\"" + text.replace("\n", "\\n") + "\""), imm(b.length)));
        steps.add(Step.of(Syscall.CLOSE, "close /proc/" + rel, new Arg.Slot(slot)));
    }

    /** open, write and close {@code path} (a /proc file), the fd in {@code slot}; {@code what} names the write. */
    static void writeFile(List<Step> steps, String path, String text, String what, int slot) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        steps.add(Step.storing(slot, Syscall.OPENAT, what + ": open " + path, imm(dev.isthmus.sys.K.AT_FDCWD, "AT_FDCWD"), str(path),
                imm(dev.isthmus.sys.K.O_WRONLY | dev.isthmus.sys.K.O_CLOEXEC, "O_WRONLY|O_CLOEXEC"), imm(0)));
        steps.add(Step.of(Syscall.WRITE, what, new Arg.Slot(slot), new Arg.Bytes(b, "\"" + text.replace("\n", "\\n") + "\""), imm(b.length)));
        steps.add(Step.of(Syscall.CLOSE, "close " + path, new Arg.Slot(slot)));
    }
}
