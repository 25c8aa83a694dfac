package dev.isthmus.spec;

import java.time.Instant;
import java.util.Map;

/**
 * A container's state as {@code runc state} prints it (runtime.md "State" plus runc's rootfs, created and owner).
 * {@code status} is one of creating, created, running, stopped (runc also prints paused).
 */
public record State(
        String ociVersion,
        String id,
        String status,
        int pid,
        String bundle,
        String rootfs,
        Instant created,
        String owner,
        Map<String, String> annotations) {
    public State {
        annotations = Copies.map(annotations);
    }
}
