package dev.isthmus.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WritersTest {
    @Test
    void stateInRuncFieldOrder() {
        State s = new State("1.2.0", "web", "running", 4242, "/b", "/b/rootfs",
                Instant.parse("2025-01-02T03:04:05.123456789Z"), "", Map.of("k", "v"));
        assertEquals("""
                {
                  "ociVersion": "1.2.0",
                  "id": "web",
                  "pid": 4242,
                  "status": "running",
                  "bundle": "/b",
                  "rootfs": "/b/rootfs",
                  "created": "2025-01-02T03:04:05.123456789Z",
                  "owner": "",
                  "annotations": {
                    "k": "v"
                  }
                }
                """, new String(StateWriter.toBytes(s), StandardCharsets.UTF_8));
    }

    @Test
    void stateWithoutAnnotationsOrOwner() {
        State s = new State("1.2.0", "a", "stopped", 0, "/b", "/b/r", Instant.EPOCH, null, Map.of());
        assertEquals("""
                {
                  "ociVersion": "1.2.0",
                  "id": "a",
                  "pid": 0,
                  "status": "stopped",
                  "bundle": "/b",
                  "rootfs": "/b/r",
                  "created": "1970-01-01T00:00:00Z",
                  "owner": ""
                }
                """, new String(StateWriter.toBytes(s), StandardCharsets.UTF_8));
    }

    @Test
    void featuresDocument() {
        Features f = new Features("1.0.0", "1.3.0", List.of("prestart", "poststop"), List.of("bind", "ro"),
                new Features.Linux(List.of("pid", "user"), List.of("CAP_KILL"), new Features.Cgroup(false, true, null,
                        null, null), new Features.Seccomp(false, List.of(), List.of(), List.of(), List.of(), List.of()),
                        null, null, null, null, new Features.MountExtensions(new Features.Enabled(true)), null),
                Map.of("io.isthmus.state-modes", "spec,bundle,exec"), List.of());
        assertEquals("""
                {
                  "ociVersionMin": "1.0.0",
                  "ociVersionMax": "1.3.0",
                  "hooks": [
                    "prestart",
                    "poststop"
                  ],
                  "mountOptions": [
                    "bind",
                    "ro"
                  ],
                  "linux": {
                    "namespaces": [
                      "pid",
                      "user"
                    ],
                    "capabilities": [
                      "CAP_KILL"
                    ],
                    "cgroup": {
                      "v1": false,
                      "v2": true
                    },
                    "seccomp": {
                      "enabled": false
                    },
                    "mountExtensions": {
                      "idmap": {
                        "enabled": true
                      }
                    }
                  },
                  "annotations": {
                    "io.isthmus.state-modes": "spec,bundle,exec"
                  }
                }
                """, new String(FeaturesWriter.toBytes(f), StandardCharsets.UTF_8));
    }
}
