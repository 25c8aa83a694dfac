package dev.isthmus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.sys.Syscall;
import dev.isthmus.testing.Bundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the planner puts the security steps, and what it refuses, for hosts with and without LSMs. */
class SecurityStepsTest {

    /** A fixed host (every path a directory, uid 0, 41 capabilities) with or without each LSM. */
    static Host host(boolean appArmor, boolean seLinux) {
        return new Host() {
            @Override
            public boolean isDirectory(Path p, boolean follow) {
                return true;
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
            public boolean appArmor() {
                return appArmor;
            }

            @Override
            public boolean seLinux() {
                return seLinux;
            }

            @Override
            public int lastCap() {
                return 40;
            }
        };
    }

    private static Config config(String processExtra, String linuxExtra) throws Exception {
        String json = Bundles.config(List.of("sh"), "box", true, Bundles.DEFAULT_NAMESPACES, "", linuxExtra)
                .replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": {\"uid\": 1000, \"gid\": 1000}")
                .replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": true" + processExtra);
        return ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static List<String> listing(Program p) {
        return p.listing("");
    }

    private static int indexOf(List<String> lines, String needle) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void boundingIsDroppedBeforeTheUidSwitchAndTheSetsAreSetAfterIt() throws Exception {
        Config c = config(", \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"]}", "");
        List<String> l = listing(Planner.plan(c, Path.of("/b"), host(false, false), Planner.Options.DEFAULT));
        int keep = indexOf(l, "PR_SET_KEEPCAPS, 1");
        int firstDrop = indexOf(l, "PR_CAPBSET_DROP, CAP_CHOWN");
        int lastDrop = indexOf(l, "PR_CAPBSET_DROP, CAP_CHECKPOINT_RESTORE");
        int setuid = indexOf(l, "setresuid(1000");
        int capset = indexOf(l, "capset(");
        assertTrue(keep >= 0 && keep < firstDrop && lastDrop < setuid && setuid < capset, String.join("\n", l));
        assertEquals(40, l.stream().filter(s -> s.contains("PR_CAPBSET_DROP")).count(), "every capability but CAP_KILL, up to 40");
        assertTrue(indexOf(l, "PR_CAPBSET_DROP, CAP_KILL") < 0);
        assertTrue(indexOf(l, "PR_SET_DUMPABLE, 0") < indexOf(l, "pivot_root"), "non-dumpable before the container's mounts");
    }

    @Test
    void withoutCapabilitiesNothingIsChanged() throws Exception {
        List<String> l = listing(Planner.plan(config("", ""), Path.of("/b"), host(false, false), Planner.Options.DEFAULT));
        assertTrue(indexOf(l, "capset(") < 0 && indexOf(l, "PR_CAPBSET_DROP") < 0, String.join("\n", l));
    }

    @Test
    void labelsAreWrittenForExecWhereTheHostHasTheLsmAndRefusedWhereNot() throws Exception {
        Config c = config(", \"apparmorProfile\": \"box-profile\", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"", "");
        Program p = Planner.plan(c, Path.of("/b"), host(true, true), Planner.Options.DEFAULT);
        List<String> l = listing(p);
        int aa = indexOf(l, "\"self/attr/apparmor/exec\"");
        int se = indexOf(l, "\"self/attr/exec\"");
        assertTrue(aa > 0 && se > 0 && aa < indexOf(l, "execve("), String.join("\n", l));
        assertTrue(l.get(aa + 1).contains("\"exec box-profile\""), l.get(aa + 1));
        assertTrue(p.steps().stream().anyMatch(s -> s.call() == Syscall.WRITE && s.what().contains("SELinux label")));

        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(c, Path.of("/b"), host(false, true), Planner.Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("process.apparmorProfile: this host has no AppArmor"), e.getMessage());
        e = assertThrows(PlanException.class, () -> Planner.plan(c, Path.of("/b"), host(true, false), Planner.Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("process.selinuxLabel: this host has no SELinux"), e.getMessage());
        Config mountLabel = config("", ", \"mountLabel\": \"system_u:object_r:container_file_t:s0\"");
        e = assertThrows(PlanException.class, () -> Planner.plan(mountLabel, Path.of("/b"), host(false, false), Planner.Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("linux.mountLabel: this host has no SELinux"), e.getMessage());
    }

    @Test
    void aMountLabelIsTheContextOfNewFilesystemsWhereTheHostHasSeLinux() throws Exception {
        String label = "system_u:object_r:container_file_t:s0:c1,c2";
        Config c = config("", ", \"mountLabel\": \"" + label + "\", \"maskedPaths\": [\"/proc/acpi\"]");
        List<String> l = listing(Planner.plan(c, Path.of("/b"), host(false, true), Planner.Options.DEFAULT));
        String all = String.join("\n", l);
        int tmpfs = indexOf(l, "mount(\"tmpfs\", \".\", \"tmpfs\"");
        assertTrue(tmpfs > 0 && l.get(tmpfs).contains("mode=755,size=65536k,context=\\\"" + label + "\\\""), all);
        int proc = indexOf(l, "mount(\"proc\", \".\", \"proc\"");
        assertTrue(proc > 0 && !l.get(proc).contains("context="), "proc takes no context: " + l.get(proc));
        int labelMask = indexOf(l, "fsconfig($");
        assertTrue(labelMask > 0 && l.get(labelMask).contains("FSCONFIG_SET_STRING, \"context\", \"" + label + "\""), all);
        assertTrue(l.get(labelMask + 1).contains("FSCONFIG_CMD_CREATE"), "the label is set before the tmpfs is created: " + all);
    }

    @Test
    void theParentWritesTheOomScoreOfAChildInANewUserNamespace() throws Exception {
        Config own = config(", \"oomScoreAdj\": -500", "");
        Program p = Planner.plan(own, Path.of("/b"), host(false, false), Planner.Options.DEFAULT);
        assertEquals("", p.oomScoreAdj());
        assertTrue(indexOf(listing(p), "\"/proc/self/oom_score_adj\"") > 0, "without a user namespace the child writes its own");
        String json = dev.isthmus.testing.Bundles.config(List.of("sh"), "box", true,
                dev.isthmus.testing.Bundles.DEFAULT_NAMESPACES.replace("[", "[{\"type\": \"user\"}, "), "",
                ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
                        + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]")
                .replace("\"noNewPrivileges\": true", "\"noNewPrivileges\": true, \"oomScoreAdj\": -500");
        Program u = Planner.plan(ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json"), Path.of("/b"),
                host(false, false), Planner.Options.DEFAULT);
        List<String> l = listing(u);
        assertEquals("-500", u.oomScoreAdj());
        assertTrue(indexOf(l, "parent: write(\"/proc/CHILD/oom_score_adj\", \"-500\")") == 1, String.join("\n", l));
        assertEquals(-1, indexOf(l, "\"/proc/self/oom_score_adj\""), String.join("\n", l));
        assertEquals("-500", dev.isthmus.plan.ParentSync.of(u).oomScoreAdj(), "kept when the cgroup wait is added");
    }

    @Test
    void sysctlNeedsItsNamespaceAndPersonalityItsDomain() throws Exception {
        Config ok = config("", ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"4096\"}, \"personality\": {\"domain\": \"LINUX\"}");
        List<String> l = listing(Planner.plan(ok, Path.of("/b"), host(false, false), Planner.Options.DEFAULT));
        assertTrue(indexOf(l, "\"sys/net/ipv4/ip_forward\"") > 0 && indexOf(l, "\"sys/kernel/shmmax\"") > 0, String.join("\n", l));
        assertTrue(indexOf(l, "personality(PER_LINUX)") > 0, String.join("\n", l));
        Config bad = config("", ", \"sysctl\": {\"vm.swappiness\": \"1\"}");
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(bad, Path.of("/b"), host(false, false), Planner.Options.DEFAULT));
        assertEquals("linux.sysctl.vm.swappiness: not a namespaced sysctl: setting it would change the host", e.getMessage());
    }
}
