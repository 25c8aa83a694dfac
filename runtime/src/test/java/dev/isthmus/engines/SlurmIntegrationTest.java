package dev.isthmus.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.testing.Bundles;
import dev.isthmus.testing.Cli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slurm's `srun --container` with isthmus as the OCI runtime, on a private cluster on loopback:
 * munged with a generated key, slurmctld and two slurmd (nodes n1 and n2 on this host, since
 * Slurm 22.05 runs one container task per node), started here and stopped by pid afterwards.
 */
class SlurmIntegrationTest {

    @TempDir
    static Path tmp;
    private static Daemons daemons;
    private static Path conf;
    private static Path bundle;
    private static Path runtime;
    private static Path ociRoot;

    @BeforeAll
    static void startCluster() throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: slurmd and the containers run as root here");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        for (String tool : List.of("munged", "slurmctld", "slurmd", "srun", "sinfo", "scancel", "squeue")) {
            assumeTrue(Daemons.onPath(tool), tool + " not installed (apt-get install slurm-wlm munge)");
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        bundle = tmp.resolve("bundle");
        Bundles.busyboxRootfs(bundle);
        Bundles.write(bundle, Bundles.config(List.of("true"), "slurm", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]", "", ""));
        runtime = Cli.runtimeScript(tmp);
        ociRoot = tmp.resolve("oci");
        daemons = new Daemons();

        Path munge = Files.createDirectories(tmp.resolve("munge"));
        Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwx--x--x"));
        byte[] key = new byte[1024];
        new java.security.SecureRandom().nextBytes(key);
        Path keyFile = Files.write(munge.resolve("munge.key"), key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--------"));
        Path sock = munge.resolve("munge.sock");
        daemons.start(tmp.resolve("munged.out"), "munged", "--foreground", "--key-file=" + keyFile, "--socket=" + sock,
                "--pid-file=" + munge.resolve("munged.pid"), "--log-file=" + munge.resolve("munged.log"),
                "--seed-file=" + munge.resolve("seed"));
        waitFor(() -> Files.exists(sock), "munged");

        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        String host = java.net.InetAddress.getLocalHost().getHostName();
        conf = Files.writeString(tmp.resolve("slurm.conf"), """
                ClusterName=isthmustest
                SlurmctldHost=%2$s(127.0.0.1)
                SlurmctldPort=%3$d
                AuthType=auth/munge
                AuthInfo=socket=%4$s
                CredType=cred/munge
                SlurmUser=root
                SlurmdUser=root
                StateSaveLocation=%1$s/ctld
                SlurmdSpoolDir=%1$s/d-%%n
                SlurmctldPidFile=%1$s/slurmctld.pid
                SlurmdPidFile=%1$s/slurmd-%%n.pid
                SlurmctldLogFile=%1$s/slurmctld.log
                SlurmdLogFile=%1$s/slurmd-%%n.log
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                MpiDefault=none
                SwitchType=switch/none
                SchedulerType=sched/builtin
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core
                ReturnToService=2
                KillWait=5
                JobCompType=jobcomp/none
                AccountingStorageType=accounting_storage/none
                JobAcctGatherType=jobacct_gather/none
                NodeName=n1 NodeHostname=%2$s NodeAddr=127.0.0.1 Port=%5$d CPUs=1 State=UNKNOWN
                NodeName=n2 NodeHostname=%2$s NodeAddr=127.0.0.1 Port=%6$d CPUs=1 State=UNKNOWN
                PartitionName=debug Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
                """.formatted(tmp, host, port, sock, port + 1, port + 2));
        ociConf(false);
        for (String d : List.of("ctld", "d-n1", "d-n2")) {
            Files.createDirectories(tmp.resolve(d));
        }
        daemons.start(tmp.resolve("slurmctld.out"), "slurmctld", "-D", "-f", conf.toString());
        daemons.start(tmp.resolve("slurmd-n1.out"), "slurmd", "-D", "-N", "n1", "-f", conf.toString());
        daemons.start(tmp.resolve("slurmd-n2.out"), "slurmd", "-D", "-N", "n2", "-f", conf.toString());
        waitFor(() -> slurm("sinfo", "-h", "-o", "%D %t").out().strip().equals("2 idle"), "both nodes idle");
    }

    /**
     * The documented oci.conf (README, "Running under Slurm"): exec mode runs the task as the
     * container itself; the default mode runs `isthmus run` (exec'd, so it is the task).
     */
    static void ociConf(boolean execMode) throws Exception {
        String rt = runtime + " --root " + ociRoot;
        Files.writeString(tmp.resolve("oci.conf"), """
                RunTimeQuery="%1$s state %%n.%%u.%%j.%%s.%%t"
                RunTimeKill="%1$s kill -a %%n.%%u.%%j.%%s.%%t KILL"
                RunTimeDelete="%1$s delete --force %%n.%%u.%%j.%%s.%%t"
                RunTimeRun="exec %1$s%2$s run -b %%b %%n.%%u.%%j.%%s.%%t"
                """.formatted(rt, execMode ? " --state-mode=exec" : ""));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (daemons != null) {
            slurm("scancel", "-u", "root");
            daemons.close();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; logs in " + tmp);
            }
            Thread.sleep(200);
        }
    }

    static Cli.Result slurm(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).directory(tmp.toFile());
        pb.environment().put("SLURM_CONF", conf.toString());
        return Cli.run(pb);
    }

    private static List<String> srun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("srun", "--container=" + bundle));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void bothModes(String... args) throws Exception {
        for (boolean exec : new boolean[] {false, true}) {
            ociConf(exec);
            Cli.Result r = slurm(srun(args).toArray(new String[0]));
            String mode = exec ? "exec mode: " : "default mode: ";
            assertEquals(3, r.status(), mode + r);
            assertTrue(r.out().contains("hello from srun slurm"), mode + r);
        }
    }

    @Test
    void srunContainerPrintsOutputAndReturnsTheExitCodeInBothModes() throws Exception {
        bothModes("sh", "-c", "echo hello from srun $(hostname); exit 3");
    }

    @Test
    void srunWithTwoTasksRunsTwoContainersOfOneStep() throws Exception {
        ociConf(false);
        Cli.Result r = slurm("srun", "-n", "2", "--container=" + bundle, "sh", "-c", "echo in container $(hostname) pid $$");
        assertEquals(0, r.status(), r::toString);
        List<String> lines = r.out().lines().filter(l -> l.startsWith("in container slurm")).toList();
        assertEquals(2, lines.size(), r::toString);
    }

    @Test
    void scancelOfARunningStepLeavesNothingInBothModes() throws Exception {
        for (boolean exec : new boolean[] {false, true}) {
            ociConf(exec);
            ProcessBuilder pb = new ProcessBuilder(srun("sleep", "300")).redirectInput(new File("/dev/null"))
                    .redirectOutput(tmp.resolve("srun.out").toFile()).redirectErrorStream(true);
            pb.environment().put("SLURM_CONF", conf.toString());
            Process srun = pb.start();
            waitFor(() -> Bundles.processesWithEnv("SECRET_TOKEN=hunter2").size() == 1, "the containerized step to run");
            String job = slurm("squeue", "-h", "-o", "%i").out().strip();
            assertEquals(0, slurm("scancel", job).status());
            assertTrue(srun.waitFor(60, TimeUnit.SECONDS), "srun ended after scancel");
            waitFor(() -> Bundles.processesWithEnv("SECRET_TOKEN=hunter2").isEmpty(), "no container process left (exec mode: " + exec + ")");
            waitFor(() -> !Files.exists(ociRoot) || Files.list(ociRoot).findAny().isEmpty(), "no container state left (exec mode: " + exec + ")");
        }
    }
}
