package dev.isthmus.engines;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Daemons a test starts on loopback with private state, and stops by pid afterwards. */
final class Daemons implements AutoCloseable {
    private final List<Process> started = new ArrayList<>();

    static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts {@code cmd} in the foreground of its own, output to {@code log}, in the log's
     * directory (a test's temporary one): a core a daemon dumps stays there, never in the
     * repository (a slurmstepd core once did, see README "Slurm").
     */
    Process start(Path log, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(log.toAbsolutePath().getParent().toFile()).redirectInput(new File("/dev/null")).start();
        started.add(p);
        return p;
    }

    /** Stops every daemon started here, newest first: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : started.reversed()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops a daemon that forked into the background, by the pid in {@code pidFile}. */
    static void stopByPidFile(Path pidFile) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }
}
