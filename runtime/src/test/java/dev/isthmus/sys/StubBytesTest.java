package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed stub bytes are exactly what its committed assembly source assembles to. */
class StubBytesTest {

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Assembles the committed source into {@code tmp}/spawn.o, or skips when binutils is missing. */
    private static Path assemble(Path tmp, String tool) throws IOException, InterruptedException {
        assumeTrue(onPath("as") && onPath(tool), "GNU binutils (as, " + tool + ") not installed: cannot check the stub's source");
        Path obj = tmp.resolve("spawn.o");
        run("as", "--64", "-o", obj.toString(), Path.of("src/main/asm/spawn-x86_64.S").toAbsolutePath().toString());
        return obj;
    }

    @Test
    void stubIsReproducibleFromItsSource(@TempDir Path tmp) throws IOException, InterruptedException {
        Path obj = assemble(tmp, "objcopy");
        Path bin = tmp.resolve("spawn.bin");
        run("objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString());
        assertArrayEquals(Files.readAllBytes(bin), Stub.code(),
                "spawn-x86_64.bin is stale: run runtime/src/main/asm/assemble.sh and commit the result");
    }

    @Test
    void entryPointsAreWhereTheJavaSideExpectsThem(@TempDir Path tmp) throws IOException, InterruptedException {
        String syms = run("nm", assemble(tmp, "nm").toString());
        Map<String, Long> at = new HashMap<>();
        for (String line : syms.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                at.put(f[2], Long.parseLong(f[0], 16));
            }
        }
        assertEquals((long) Stub.IMAGE_ENTRY_OFFSET, at.get("isthmus_image_entry"));
        assertEquals((long) Stub.SPAWN_OFFSET, at.get("isthmus_spawn"));
        assertEquals((long) Stub.FORWARD_SIGNAL_OFFSET, at.get("isthmus_forward_signal"));
        assertEquals((long) Stub.SIGNAL_TO_PIPE_OFFSET, at.get("isthmus_signal_to_pipe"));
        assertEquals((long) Stub.code().length, at.get("isthmus_image_header"), "the program header must follow the code directly");
    }

    @Test
    void objectHasNoRelocations(@TempDir Path tmp) throws IOException, InterruptedException {
        String relocs = run("objdump", "-r", assemble(tmp, "objdump").toString());
        // objcopy -O binary drops relocations silently: the stub must need none.
        assertFalse(relocs.contains("R_X86_64"), relocs);
    }

    /** Runs a tool; returns its output, or throws with it when the tool fails. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
