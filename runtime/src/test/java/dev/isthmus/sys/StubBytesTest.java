package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void stubIsReproducibleFromItsSource(@TempDir Path tmp) throws IOException, InterruptedException {
        assumeTrue(onPath("as") && onPath("objcopy"), "GNU binutils (as, objcopy) not installed: cannot reassemble the stub");
        Path src = Path.of("src/main/asm/spawn-x86_64.S").toAbsolutePath();
        Path obj = tmp.resolve("spawn.o");
        Path bin = tmp.resolve("spawn.bin");
        run("as", "--64", "-o", obj.toString(), src.toString());
        run("objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString());
        assertArrayEquals(Files.readAllBytes(bin), Stub.code(),
                "spawn-x86_64.bin is stale: run runtime/src/main/asm/assemble.sh and commit the result");
    }

    @Test
    void entryPointsAreWhereTheJavaSideExpectsThem(@TempDir Path tmp) throws IOException, InterruptedException {
        assumeTrue(onPath("as") && onPath("nm"), "GNU binutils (as, nm) not installed: cannot read the stub's symbols");
        Path obj = tmp.resolve("spawn.o");
        run("as", "--64", "-o", obj.toString(), Path.of("src/main/asm/spawn-x86_64.S").toAbsolutePath().toString());
        Process p = new ProcessBuilder("nm", obj.toString()).start();
        String syms = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        java.util.Map<String, Long> at = new java.util.HashMap<>();
        for (String line : syms.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                at.put(f[2], Long.parseLong(f[0], 16));
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals((long) Stub.IMAGE_ENTRY_OFFSET, at.get("isthmus_image_entry"));
        org.junit.jupiter.api.Assertions.assertEquals((long) Stub.SPAWN_OFFSET, at.get("isthmus_spawn"));
        org.junit.jupiter.api.Assertions.assertEquals((long) Stub.FORWARD_SIGNAL_OFFSET, at.get("isthmus_forward_signal"));
        org.junit.jupiter.api.Assertions.assertEquals((long) Stub.code().length, at.get("isthmus_image_header"),
                "the program header must follow the code directly");
    }

    @Test
    void objectHasNoRelocations(@TempDir Path tmp) throws IOException, InterruptedException {
        assumeTrue(onPath("as") && onPath("objdump"), "GNU binutils (as, objdump) not installed");
        Path obj = tmp.resolve("spawn.o");
        run("as", "--64", "-o", obj.toString(), Path.of("src/main/asm/spawn-x86_64.S").toAbsolutePath().toString());
        Process p = new ProcessBuilder("objdump", "-r", obj.toString()).start();
        String relocs = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        // objcopy -O binary drops relocations silently: the stub must need none.
        org.junit.jupiter.api.Assertions.assertFalse(relocs.contains("R_X86_64"), relocs);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
