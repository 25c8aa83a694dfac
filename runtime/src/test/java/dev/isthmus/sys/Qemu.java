package dev.isthmus.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's qemu-user-static for the aarch64 tests: where it is, and binfmt_misc for aarch64 ELF files. */
final class Qemu {
    private Qemu() {}

    static final String MISSING = "qemu-aarch64-static (Debian: qemu-user-static) is not installed: cannot emulate the aarch64 stub";

    /** qemu-aarch64-static (or qemu-aarch64) on PATH, or null. */
    static String find() {
        for (String name : new String[] {"qemu-aarch64-static", "qemu-aarch64"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    private static final Path BINFMT = Path.of("/proc/sys/fs/binfmt_misc");
    /** An aarch64 ELF executable's first 20 bytes, and which bits of them count (qemu's own binfmt entry for aarch64). */
    private static final String MAGIC = "7f454c460201010000000000000000000200b700";
    private static final String MAGIC_ESCAPED = "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00";
    private static final String MASK_ESCAPED = "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
    private static final String ENTRY = "isthmus-test-aarch64";

    /**
     * The kernel's way to run aarch64 executables that an emulated program execs: an enabled
     * binfmt_misc entry for them, or, when there is none, one registered here for the test (flag
     * F: the kernel opens the interpreter now, so it works in any mount namespace) and removed
     * again on close. {@link #problem()} says why there is none when the kernel refuses.
     */
    record Binfmt(Path registered, String problem) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (registered != null && Files.exists(registered)) {
                Files.writeString(registered, "-1"); // removes the entry
            }
        }
    }

    static Binfmt binfmt(String qemu) throws IOException, InterruptedException {
        if (!Files.exists(BINFMT.resolve("register"))) {
            // Left mounted afterwards: an empty binfmt_misc changes nothing, and unmounting it
            // would drop entries that others may have registered meanwhile.
            Process p = new ProcessBuilder("mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(BINFMT.resolve("register"))) {
                return new Binfmt(null, "binfmt_misc is not mounted and cannot be mounted here (" + out
                        + "): the kernel cannot exec an aarch64 busybox");
            }
        }
        if (Files.readString(BINFMT.resolve("status")).trim().equals("disabled")) {
            return new Binfmt(null, "binfmt_misc is disabled on this kernel (/proc/sys/fs/binfmt_misc/status)");
        }
        try (var entries = Files.list(BINFMT)) {
            for (Path e : entries.toList()) {
                String name = e.getFileName().toString();
                if (name.equals("register") || name.equals("status") || !Files.isRegularFile(e)) {
                    continue;
                }
                String text = Files.readString(e);
                if (text.startsWith("enabled") && text.contains("magic " + MAGIC)) {
                    return new Binfmt(null, null); // already there (e.g. systemd-binfmt with qemu-user-static)
                }
            }
        }
        String line = ":" + ENTRY + ":M::" + MAGIC_ESCAPED + ":" + MASK_ESCAPED + ":" + qemu + ":F";
        try {
            Files.writeString(BINFMT.resolve("register"), line);
        } catch (IOException e) {
            return new Binfmt(null, "the kernel refused a binfmt_misc entry for aarch64 (" + e.getMessage() + ")");
        }
        return new Binfmt(BINFMT.resolve(ENTRY), null);
    }
}
