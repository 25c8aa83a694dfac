package dev.isthmus.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultConfigsTest {
    /**
     * The fixtures are what runc 1.1.5 (Debian 12) writes. runc 1.2 changed two things that DefaultConfigs follows:
     * no ambient capabilities, and ociVersion is the spec version it implements. Apart from those the configs must
     * be equal. (runc 1.2 also adds a cgroup namespace on cgroup v2 hosts; 1.1.5 does not, hence false here.)
     */
    private static Config asRunc12(Config runc115) {
        Process p = runc115.process();
        Capabilities c = p.capabilities();
        Process p12 = new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(), p.cwd(),
                new Capabilities(c.bounding(), c.effective(), c.inheritable(), c.permitted(), List.of()),
                p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel(),
                p.ioPriority(), p.scheduler(), p.execCPUAffinity());
        return new Config(DefaultConfigs.OCI_VERSION, p12, runc115.root(), runc115.hostname(), runc115.domainname(),
                runc115.mounts(), runc115.hooks(), runc115.annotations(), runc115.linux());
    }

    @Test
    void matchesRuncSpec() throws Exception {
        assertEquals(asRunc12(Fixtures.read("runc-1.1.5-spec.json")), DefaultConfigs.runcDefault(false, false, 0, 0));
    }

    @Test
    void matchesRuncSpecRootless() throws Exception {
        // the fixture was generated as root, so the mapped host ids are 0
        assertEquals(asRunc12(Fixtures.read("runc-1.1.5-spec-rootless.json")),
                DefaultConfigs.runcDefault(true, false, 0, 0));
    }

    @Test
    void defaultsRoundTripAndValidate() throws Exception {
        for (boolean rootless : new boolean[] {false, true}) {
            Config c = DefaultConfigs.runcDefault(rootless, true, 1000, 1000);
            ConfigValidator.validate(c);
            assertEquals(c, ConfigReader.read(ConfigWriter.toBytes(c), "default"));
        }
        assertNotNull(DefaultConfigs.runcDefault(true).linux().namespace(NamespaceType.USER));
    }

    @Test
    void rootlessMapsTheGivenIds() {
        Linux l = DefaultConfigs.runcDefault(true, true, 1500, 1600).linux();
        assertEquals(List.of(new IdMapping(0, 1500, 1)), l.uidMappings());
        assertEquals(List.of(new IdMapping(0, 1600, 1)), l.gidMappings());
        assertEquals(null, l.namespace(NamespaceType.NETWORK));
        assertNotNull(l.namespace(NamespaceType.CGROUP));
    }
}
