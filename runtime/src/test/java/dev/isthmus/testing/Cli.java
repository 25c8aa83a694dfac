package dev.isthmus.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the isthmus CLI in a separate JVM, as bin/isthmus does (same JVM options), with this test
 * run's class path. A separate process because the container writes to the runtime's stdout,
 * which in the test JVM is the test runner's channel.
 */
public final class Cli {
    private Cli() {}

    /** What a CLI run printed and returned. */
    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xrs", "-XX:+DisableAttachMechanism", "-XX:-MaxFDLimit", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * An executable script in {@code dir} that runs this build's CLI, for clients that take a
     * runtime path (podman, buildah, containerd, Slurm's oci.conf). It execs the JVM, so the
     * client's process is the runtime's.
     */
    public static Path runtimeScript(Path dir) throws IOException {
        StringBuilder sh = new StringBuilder("#!/bin/sh\nexport _JAVA_SR_SIGNUM=60\nexec");
        for (String c : command()) {
            sh.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        sh.append(" \"$@\"\n");
        Path script = java.nio.file.Files.writeString(dir.resolve("isthmus"), sh);
        java.nio.file.Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    public static ProcessBuilder builder(String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().put("_JAVA_SR_SIGNUM", "60");
        return pb;
    }

    /** The text of {@code file} (a redirected output), or why it could not be read: for assertion messages. */
    public static String textOf(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Runs the CLI with stdin from /dev/null and stdout and stderr into the files {@code out} and
     * {@code err}, and returns what they hold. For create and anything that may leave a parked
     * init: it keeps the runtime's stdio, so pipes read to EOF would wait for the container.
     */
    public static Result runToFiles(Path out, Path err, String... args) throws IOException, InterruptedException {
        Result r = run(builder(args).redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile()));
        return new Result(r.status(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        return run(builder(args).redirectInput(new File("/dev/null")));
    }

    public static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("isthmus " + pb.command() + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
