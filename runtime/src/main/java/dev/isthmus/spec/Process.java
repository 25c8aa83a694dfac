package dev.isthmus.spec;

import java.util.List;

/** {@code process}: the container process. {@code user} is null when the config has none (uid 0, gid 0). */
public record Process(
        boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        String commandLine,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        String selinuxLabel,
        IoPriority ioPriority,
        Scheduler scheduler,
        ExecCpuAffinity execCPUAffinity) {
    public Process {
        args = Copies.list(args);
        env = Copies.list(env);
        rlimits = Copies.list(rlimits);
    }
}
