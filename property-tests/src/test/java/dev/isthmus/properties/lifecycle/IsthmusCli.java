package dev.isthmus.properties.lifecycle;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real isthmus CLI in its own JVM with bin/isthmus's JVM options. When the runtime is
 * on the class path as its packaged jar (mvn verify), the jar is run with {@code -jar} and the
 * AOT cache made beside it at package time, as bin/isthmus does (about 0.2 s a call instead of
 * 0.4 s); from target/classes it runs with this JVM's class path.
 */
final class IsthmusCli {
    private IsthmusCli() {}

    /** What one CLI call printed and returned. */
    record Result(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }

        @Override
        public String toString() {
            return "exit " + status + (out.isBlank() ? "" : ", stdout: " + out.strip()) + (err.isBlank() ? "" : ", stderr: " + err.strip());
        }
    }

    private static final List<String> JVM = jvm();

    private static List<String> jvm() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xrs", "-XX:+DisableAttachMechanism", "-XX:-MaxFDLimit", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        Path jar = runtimeJar();
        if (jar != null && Files.isDirectory(jar.resolveSibling("lib"))) {
            Path aot = jar.resolveSibling("isthmus.aot");
            try {
                if (Files.isRegularFile(aot) && Files.getLastModifiedTime(aot).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                    cmd.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
                }
            } catch (IOException e) {
                // no cache: slower, same behaviour
            }
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Main"));
        }
        return List.copyOf(cmd);
    }

    private static Path runtimeJar() {
        try {
            Path p = Path.of(dev.isthmus.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    static ProcessBuilder builder(List<String> args) {
        List<String> cmd = new ArrayList<>(JVM);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("_JAVA_SR_SIGNUM", "60");
        return pb.redirectInput(new File("/dev/null"));
    }

    /**
     * Runs one call. Output goes to files in {@code scratch}, not pipes: a created container's
     * parked init keeps the caller's stdio, so a pipe would not reach EOF while it lives.
     */
    static Result run(List<String> args, Path scratch) {
        try {
            Path out = scratch.resolve("out");
            Path err = scratch.resolve("err");
            Process p = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("isthmus " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
