package dev.isthmus.cli;

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
            return CgroupCommands.run(() -> {
                CgroupCommands.Target t = CgroupCommands.target(main.store(), id);
                if (!t.status().equals("running")) {
                    throw new CgroupCommands.Refused("cannot pause container " + id + ": it is " + t.status() + ", not running");
                }
                t.cgroup().freeze();
            });
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
            return CgroupCommands.run(() -> {
                CgroupCommands.Target t = CgroupCommands.target(main.store(), id);
                if (!t.status().equals("paused")) {
                    throw new CgroupCommands.Refused("cannot resume container " + id + ": it is " + t.status() + ", not paused");
                }
                t.cgroup().thaw();
            });
        }
    }
}
