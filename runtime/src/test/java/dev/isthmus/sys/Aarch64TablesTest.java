package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.plan.Program;
import dev.isthmus.plan.SeccompBpf;
import dev.isthmus.plan.Step;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.testing.Bundles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What differs on aarch64, checked from this machine: the hand-written tables, the image header, seccomp. */
class Aarch64TablesTest {

    /** The kernel's generic table, which aarch64 uses (installed with Debian's linux-libc-dev on every architecture). */
    private static final Path GENERIC_UNISTD = Path.of("/usr/include/asm-generic/unistd.h");

    @Test
    void aarch64NumbersAreAsmGenericOnes() throws IOException {
        assumeTrue(Files.isReadable(GENERIC_UNISTD), GENERIC_UNISTD + " is missing (Debian: linux-libc-dev): cannot check the aarch64 table");
        Map<String, Integer> header = new HashMap<>();
        Pattern define = Pattern.compile("^#define __NR(?:3264)?_(\\w+)\\s+(\\d+)\\s*$");
        for (String line : Files.readAllLines(GENERIC_UNISTD)) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                header.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        for (Syscall s : Syscall.values()) {
            assertEquals(header.get(s.kernelName()), s.number(Arch.AARCH64), s.kernelName());
        }
        assertEquals(header.get("bpf"), Arch.AARCH64.bpfNumber());
    }

    @Test
    void thisMachinesNumbersAreUnchanged() {
        assumeTrue(Arch.currentOrNull() == Arch.X86_64, "checks the x86_64 numbers");
        for (Syscall s : Syscall.values()) {
            assertEquals(s.number(Arch.X86_64), s.number());
        }
        assertEquals(0, Syscall.READ.number(), "read is 0 on x86_64");
        assertEquals(0200000, K.O_DIRECTORY);
    }

    @Test
    void osArchNames() {
        assertEquals(Arch.X86_64, Arch.of("amd64"));
        assertEquals(Arch.X86_64, Arch.of("x86_64"));
        assertEquals(Arch.AARCH64, Arch.of("aarch64"));
        assertEquals(Arch.AARCH64, Arch.of("arm64"));
        assertNull(Arch.of("riscv64"));
    }

    @Test
    void aarch64ImageHeader() {
        Program p = new Program(0, List.of(Step.of(Syscall.GETPID, "getpid")), "", "", false, false);
        ByteBuffer b = ByteBuffer.wrap(ElfImage.build(p, 0, 1, new long[0], Arch.AARCH64)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(183, b.getShort(18), "e_machine EM_AARCH64");
        assertEquals(ElfImage.BASE + ElfImage.CODE_OFFSET, b.getLong(24), "e_entry: isthmus_image_entry");
        assertEquals(0x10000, b.getLong(ElfImage.EHDR_SIZE + 48), "PT_LOAD p_align: 64 KiB pages");
        int header = ElfImage.CODE_OFFSET + Stub.code(Arch.AARCH64).length;
        assertEquals(ProgramLayout.MAGIC, b.getLong(header));
        long steps = b.getLong(header + 32) - ElfImage.BASE;
        assertEquals(172, b.getLong((int) steps), "getpid's aarch64 number in the step table");
        ByteBuffer x = ByteBuffer.wrap(ElfImage.build(p, 0, 1, new long[0], Arch.X86_64)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(62, x.getShort(18), "e_machine EM_X86_64");
        assertEquals(0x1000, x.getLong(ElfImage.EHDR_SIZE + 48));
    }

    @Test
    void seccompFiltersTheAarch64Architecture() throws Exception {
        assumeTrue(Seccomp.available(), () -> "libseccomp.so.2 is not installed: " + Seccomp.unavailableReason());
        assertTrue(Seccomp.architectures().contains("SCMP_ARCH_AARCH64"), Seccomp.architectures().toString());
        String json = Bundles.config(List.of("/bin/sh"), "box", false, "[{\"type\": \"mount\"}]", "", """
                , "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_AARCH64"],
                  "syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}""");
        Seccomp.Filter f = Seccomp.compile(ConfigReader.read(json.getBytes(StandardCharsets.UTF_8), "config.json").linux().seccomp());
        int mkdirat = Syscall.MKDIRAT.number(Arch.AARCH64);
        assertEquals(Seccomp.RET_ERRNO | 38, SeccompBpf.run(f.bpf(), mkdirat, Arch.AARCH64.auditArch(), new long[6], 0),
                "mkdirat under aarch64's AUDIT_ARCH and number");
        assertEquals(Seccomp.RET_ALLOW, SeccompBpf.run(f.bpf(), Syscall.GETPID.number(Arch.AARCH64), Arch.AARCH64.auditArch(), new long[6], 0));
        assertEquals(Seccomp.RET_ERRNO | 38, SeccompBpf.run(f.bpf(), Syscall.MKDIRAT.number(), Seccomp.AUDIT_ARCH_NATIVE, new long[6], 0),
                "and the native architecture's");
    }
}
