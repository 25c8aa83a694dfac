package dev.isthmus.spec;

import java.util.List;

/** config.md "process.scheduler" (sched_setattr(2)). */
public record Scheduler(String policy, Integer nice, Integer priority, List<String> flags, Long runtime, Long deadline,
        Long period) {
    public Scheduler {
        flags = List.copyOf(flags);
    }
}
