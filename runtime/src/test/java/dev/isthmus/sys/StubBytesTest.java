package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The committed stub bytes of every architecture are exactly what its committed assembly source assembles to. */
class StubBytesTest {

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The binutils of {@code arch} by their target-prefixed names, which Debian installs for the
     * native architecture (package binutils) and for the other (binutils-aarch64-linux-gnu on
     * x86_64, binutils-x86-64-linux-gnu on aarch64).
     */
    private static String tool(Arch arch, String name) {
        return (arch == Arch.X86_64 ? "x86_64-linux-gnu-" : "aarch64-linux-gnu-") + name;
    }

    /** Assembles {@code arch}'s committed source into {@code tmp}/spawn.o, or skips when its binutils are missing. */
    private static Path assemble(Path tmp, Arch arch, String other) throws IOException, InterruptedException {
        String as = tool(arch, "as");
        String package_ = arch == Arch.currentOrNull() ? "binutils" : arch == Arch.X86_64 ? "binutils-x86-64-linux-gnu" : "binutils-aarch64-linux-gnu";
        assumeTrue(onPath(as) && onPath(tool(arch, other)),
                "GNU binutils for " + arch.kernelName() + " (" + as + ", " + tool(arch, other) + "; Debian: " + package_
                        + ") not installed: cannot check the stub's source");
        Path obj = tmp.resolve("spawn.o");
        String src = Path.of("src/main/asm/spawn-" + arch.kernelName() + ".S").toAbsolutePath().toString();
        if (arch == Arch.X86_64) {
            run(as, "--64", "-o", obj.toString(), src);
        } else {
            run(as, "-o", obj.toString(), src);
        }
        return obj;
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void stubIsReproducibleFromItsSource(Arch arch, @TempDir Path tmp) throws IOException, InterruptedException {
        Path obj = assemble(tmp, arch, "objcopy");
        Path bin = tmp.resolve("spawn.bin");
        run(tool(arch, "objcopy"), "-O", "binary", "-j", ".text", obj.toString(), bin.toString());
        assertArrayEquals(Files.readAllBytes(bin), Stub.code(arch),
                "spawn-" + arch.kernelName() + ".bin is stale: run runtime/src/main/asm/assemble.sh and commit the result");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void entryPointsAreWhereTheJavaSideExpectsThem(Arch arch, @TempDir Path tmp) throws IOException, InterruptedException {
        String syms = run(tool(arch, "nm"), assemble(tmp, arch, "nm").toString());
        Map<String, Long> at = new HashMap<>();
        for (String line : syms.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                at.put(f[2], Long.parseLong(f[0], 16));
            }
        }
        assertEquals((long) Stub.IMAGE_ENTRY_OFFSET, at.get("isthmus_image_entry"));
        assertEquals((long) Stub.SPAWN_OFFSET, at.get("isthmus_spawn"));
        assertEquals((long) arch.forwardSignalOffset(), at.get("isthmus_forward_signal"));
        assertEquals((long) arch.signalToPipeOffset(), at.get("isthmus_signal_to_pipe"));
        assertEquals((long) Stub.code(arch).length, at.get("isthmus_image_header"), "the program header must follow the code directly");
        assertEquals(0, Stub.code(arch).length % 16, "ElfImage places the program 16-byte aligned after the code");
        assertTrue(Stub.code(arch).length <= arch.cellOffset(), "the code must end before the signal handlers' cells");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void objectHasNoRelocations(Arch arch, @TempDir Path tmp) throws IOException, InterruptedException {
        String relocs = run(tool(arch, "objdump"), "-r", assemble(tmp, arch, "objdump").toString());
        // objcopy -O binary drops relocations silently: the stub must need none.
        assertFalse(relocs.contains("R_X86_64") || relocs.contains("R_AARCH64"), relocs);
        assertTrue(relocs.contains("file format"), "objdump said nothing about the object: " + relocs);
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
