package dev.isthmus.cli;

import dev.isthmus.cgroup.Stats;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * runc's events: with --stats one stats object and exit; otherwise a stats object every
 * --interval, and an {"type":"oom"} object when the cgroup's OOM-kill count rises, until the
 * container stops.
 */
final class EventsCommand implements Callable<Integer> {
    final Main main;

    EventsCommand(Main main) {
        this.main = main;
    }

    CommandSpec model() {
        Model m = Model.command("events", this, "Print the container's resource usage (--stats: once) and OOM events.");
        m.option("--stats", boolean.class, "Print one stats object and exit.", v -> stats = v);
        m.option("--interval", String.class, "Time between stats objects (e.g. 5s, 500ms; default 5s).", v -> interval = v);
        m.positional("0", "1", "ID", null, String.class, v -> id = v);
        return m.spec();
    }

    boolean stats;

    String interval = "5s";

    String id;

    @Override
    public Integer call() throws Exception {
        return CgroupCommands.run(() -> {
            long every = millis(interval);
            CgroupCommands.Target t = CgroupCommands.target(main, id);
            if (t.status().equals("stopped")) {
                throw new CgroupCommands.Refused("container " + t.record().id() + " is stopped");
            }
            if (stats) {
                print(t);
                return;
            }
            long ooms = Stats.oomKills(t.cgroup());
            long next = 0;
            while (!main.store().status(t.record()).equals("stopped")) {
                long k = Stats.oomKills(t.cgroup());
                if (k > ooms && ooms >= 0) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    Stats.event("oom", t.record().id(), b);
                    System.out.println(b.toString(java.nio.charset.StandardCharsets.UTF_8));
                    System.out.flush();
                }
                ooms = k;
                if (System.nanoTime() >= next) {
                    print(t);
                    next = System.nanoTime() + every * 1_000_000L;
                }
                Thread.sleep(Math.min(every, 200));
            }
        });
    }

    private void print(CgroupCommands.Target t) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Stats.write(t.cgroup(), t.record().id(), b);
        System.out.println(b.toString(java.nio.charset.StandardCharsets.UTF_8));
        System.out.flush();
    }

    static long millis(String s) throws CgroupCommands.Refused {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)?").matcher(s.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CgroupCommands.Refused("--interval: must be a positive duration such as 5s or 500ms");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            default -> n * 1000;
        };
    }
}
