package dev.isthmus.spec;

import java.util.List;

/** config.md "process". */
public record Process(boolean terminal, ConsoleSize consoleSize, User user, List<String> args, String commandLine,
        List<String> env, String cwd, Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges,
        String apparmorProfile, Integer oomScoreAdj, String selinuxLabel, IoPriority ioPriority, Scheduler scheduler,
        ExecCpuAffinity execCPUAffinity) {
    public Process {
        args = List.copyOf(args);
        env = List.copyOf(env);
        rlimits = List.copyOf(rlimits);
    }
}
