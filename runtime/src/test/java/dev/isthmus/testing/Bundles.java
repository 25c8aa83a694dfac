package dev.isthmus.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test bundles: a rootfs made of the static busybox (Debian's busybox-static), and a config. */
public final class Bundles {
    private Bundles() {}

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final List<String> APPLETS = List.of("sh", "echo", "cat", "id", "hostname", "sleep", "true", "false",
            "ls", "mount", "touch", "mkdir", "grep", "readlink", "wc", "stat", "kill", "ps", "test", "env", "umask");

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Whether /bin/busybox is the static build (a dynamic one cannot run in a bare rootfs). */
    public static boolean haveStaticBusybox() {
        if (!Files.isRegularFile(BUSYBOX)) {
            return false;
        }
        try {
            byte[] elf = Files.readAllBytes(BUSYBOX);
            // No PT_INTERP program header means no dynamic loader is needed: look for its path.
            return !new String(elf, java.nio.charset.StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux");
        } catch (IOException e) {
            return false;
        }
    }

    /** A rootfs in {@code bundle}/rootfs with busybox and its applets in /bin. */
    public static Path busyboxRootfs(Path bundle) throws IOException {
        Path rootfs = bundle.resolve("rootfs");
        Path bin = rootfs.resolve("bin");
        Files.createDirectories(bin);
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc", "mnt")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true);
        for (String a : APPLETS) {
            Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        return rootfs;
    }

    /** JSON for a string list. */
    public static String json(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('"').append(items.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(']').toString();
    }

    /**
     * A config.json for {@code args}; {@code extraMounts} and {@code extraLinux} are JSON
     * fragments spliced in (each starting with a comma when not empty).
     */
    public static String config(List<String> args, String hostname, boolean readonly, String namespaces, String extraMounts,
            String extraLinux) {
        return """
                {
                  "ociVersion": "1.2.0",
                  "process": {
                    "terminal": false,
                    "user": {"uid": 0, "gid": 0},
                    "args": %s,
                    "env": ["PATH=/bin", "SECRET_TOKEN=hunter2"],
                    "cwd": "/",
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                    "noNewPrivileges": true
                  },
                  "root": {"path": "rootfs", "readonly": %s},
                  "hostname": "%s",
                  "mounts": [
                    {"destination": "/proc", "type": "proc", "source": "proc"},
                    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}
                    %s
                  ],
                  "linux": {
                    "namespaces": %s
                    %s
                  }
                }
                """.formatted(json(args), readonly, hostname, extraMounts, namespaces, extraLinux);
    }

    public static final String DEFAULT_NAMESPACES = """
            [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network"}]""";

    public static Path write(Path bundle, String config) throws IOException {
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("config.json"), config);
        return bundle;
    }

    /** Mount points under {@code prefix} in this process's mount namespace. */
    public static List<String> mountsUnder(Path prefix) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(prefix.toString()))
                .toList();
    }

    /** Pids of live processes whose environment holds {@code entry} exactly. */
    public static List<Long> processesWithEnv(String entry) throws IOException {
        byte[] needle = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            byte[] env = Files.readAllBytes(p.resolve("environ"));
                            return new String(env, java.nio.charset.StandardCharsets.ISO_8859_1)
                                    .contains(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
                        } catch (IOException e) {
                            return false; // gone, a zombie, or not readable
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .toList();
        }
    }

    /**
     * Waits up to 10 s until exactly {@code n} processes carry the test configs' marker
     * (SECRET_TOKEN=hunter2 in their environment), then asserts that count.
     */
    public static void waitForContainerProcesses(int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (processesWithEnv("SECRET_TOKEN=hunter2").size() != n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        org.junit.jupiter.api.Assertions.assertEquals(n, processesWithEnv("SECRET_TOKEN=hunter2").size(), "container processes");
    }
}
