package dev.isthmus.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * newuidmap(1) and newgidmap(1), shadow's setuid helpers (Debian's {@code uidmap} package): the
 * only way an unprivileged parent may give its child more than its own id, each range checked
 * against /etc/subuid or /etc/subgid. They run as separate programs (ProcessBuilder: the JDK
 * posix_spawns a helper that execs at once, no Java runs in the child), with the map as
 * {@code PID INSIDE OUTSIDE COUNT...} arguments, as rootless runc and podman call them.
 */
final class IdMapHelper {
    private IdMapHelper() {}

    /** Runs {@code tool} for child {@code pid} with the lines of {@code map}; SysException naming the tool and field. */
    static void run(String tool, int pid, String map, String field) {
        if (map.isEmpty()) {
            return;
        }
        Path exe = find(tool);
        if (exe == null) {
            throw new SysException("running rootless, " + field + " maps more than the caller's own id, which needs " + tool
                    + " (Debian's uidmap package); it is not in /usr/bin or $PATH", Errno.ENOENT.number());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.add(Integer.toString(pid));
        for (String line : map.strip().split("\n")) {
            for (String f : line.strip().split("\\s+")) {
                cmd.add(f);
            }
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SysException(tool + " for " + field + " did not finish in 30 s", Errno.EPERM.number());
            }
            if (p.exitValue() != 0) {
                String said = new String(out, StandardCharsets.UTF_8).strip().replace('\n', ' ');
                throw new SysException(tool + " refused " + field + " (exit " + p.exitValue() + (said.isEmpty() ? "" : ": " + said) + ")",
                        Errno.EPERM.number());
            }
        } catch (IOException e) {
            throw new SysException("running " + exe + " for " + field + ": " + e.getMessage(), Errno.EPERM.number());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SysException(tool + " for " + field + " was interrupted", Errno.EINTR.number());
        }
    }

    private static Path find(String tool) {
        List<String> dirs = new ArrayList<>(List.of("/usr/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
