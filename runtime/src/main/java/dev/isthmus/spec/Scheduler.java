package dev.isthmus.spec;

import java.util.List;

/** {@code process.scheduler} (sched_setattr(2)); runtime, deadline and period are uint64 nanoseconds. */
public record Scheduler(
        String policy, Integer nice, Integer priority, List<String> flags, Long runtime, Long deadline, Long period) {
    public Scheduler {
        flags = Copies.list(flags);
    }
}
