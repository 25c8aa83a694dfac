package dev.isthmus.cli;

import dev.isthmus.cgroup.Cgroup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** runc's pause and resume: freeze and thaw every process of the container through its cgroup. */
final class PauseResumeCommands {
    private PauseResumeCommands() {}

    static final class Pause implements Callable<Integer> {
        final Main main;

        Pause(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("pause", this, "Suspend all processes of a running container (cgroup freezer).");
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        String id;

        @Override
        public Integer call() throws Exception {
            return CgroupCommands.change(main, id, "pause", "running", Cgroup::freeze);
        }
    }

    static final class Resume implements Callable<Integer> {
        final Main main;

        Resume(Main main) {
            this.main = main;
        }

        CommandSpec model() {
            Model m = Model.command("resume", this, "Resume all processes of a paused container.");
            m.positional("0", "1", "ID", null, String.class, v -> id = v);
            return m.spec();
        }

        String id;

        @Override
        public Integer call() throws Exception {
            return CgroupCommands.change(main, id, "resume", "paused", Cgroup::thaw);
        }
    }
}
