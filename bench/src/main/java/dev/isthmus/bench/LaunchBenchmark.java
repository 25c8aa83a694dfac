package dev.isthmus.bench;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.sys.K;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.Syscall;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One launch through the spawn stub, clone to reaped: /bin/true exec'd by a program that does
 * what every isthmus program ends with (close_range CLOEXEC, unblock signals, execve), with no
 * namespaces ({@code plain}) or in a new pid namespace ({@code pidns}, needs root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LaunchBenchmark {

    @Param({"plain", "pidns"})
    public String kind;

    private Program program;

    @Setup
    public void setup() {
        long flags = kind.equals("pidns") ? K.CLONE_NEWPID : 0;
        program = new Program(flags, List.of(
                Step.of(Syscall.CLOSE_RANGE, "mark fds close-on-exec", Arg.imm(3), Arg.imm(0xffffffffL), Arg.imm(K.CLOSE_RANGE_CLOEXEC)),
                Step.of(Syscall.RT_SIGPROCMASK, "unblock signals", Arg.imm(K.SIG_SETMASK), new Arg.Bytes(new byte[8], "[]"),
                        Arg.imm(0), Arg.imm(8)),
                Step.of(Syscall.EXECVE, "exec /bin/true", Arg.str("/bin/true"), new Arg.StrArray(List.of("true"), false),
                        new Arg.StrArray(List.of(), true))), "", "", false, false);
    }

    @Benchmark
    public int launchToReaped() throws SpawnException {
        Spawner.Launch launch = Spawner.launch(program);
        int pidfd = launch.pidfd();
        try {
            launch.awaitExec();
            return Libc.waitPidfd(pidfd, false).shellStatus();
        } finally {
            launch.close();
            Libc.close(pidfd);
        }
    }
}
