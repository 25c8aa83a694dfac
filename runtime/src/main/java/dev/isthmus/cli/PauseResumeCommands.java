package dev.isthmus.cli;

import dev.isthmus.cgroup.Cgroup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc's pause and resume: freeze and thaw every process of the container through its cgroup. */
final class PauseResumeCommands {
    private PauseResumeCommands() {}

    @Command(name = "pause", description = "Suspend all processes of a running container (cgroup freezer).")
    static final class Pause implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return CgroupCommands.change(main, id, "pause", "running", Cgroup::freeze);
        }
    }

    @Command(name = "resume", description = "Resume all processes of a paused container.")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return CgroupCommands.change(main, id, "resume", "paused", Cgroup::thaw);
        }
    }
}
