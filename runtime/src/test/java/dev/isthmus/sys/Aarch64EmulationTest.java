package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Interpreter;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.testing.RecordingKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aarch64 stub, run on this (x86_64) machine through user-mode emulation: the aarch64 ELF
 * image form of a program ({@link ElfImage#build(Program, int, int, long[], Arch)}) is executed
 * by Debian's qemu-aarch64-static, which runs the stub's instructions and passes its system
 * calls to this kernel. What it checks is the stub's half of the contract: the header and step
 * table it reads, the numbers it calls, the slots, the checks and the (step, errno) report. The
 * clone3 path inside a JVM (isthmus_spawn) cannot run this way; it needs aarch64 hardware.
 *
 * <p>The image's error fd is 1 (stdout): a failing program's stdout is its 16-byte report.
 */
class Aarch64EmulationTest {

    /** Where .ci/run unpacks Debian's busybox-static:arm64 (override: ISTHMUS_ARM64_BUSYBOX). */
    static final Path ARM64_BUSYBOX = Path.of(System.getenv().getOrDefault("ISTHMUS_ARM64_BUSYBOX", "/opt/isthmus-test/arm64/bin/busybox"));

    private static String qemu;

    @BeforeAll
    static void findQemu() {
        qemu = Qemu.find();
    }

    /** The emulated process: exit status, stdout, stderr. */
    record Run(int status, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }

        /** The (step, errno) report on stdout, or null when there is none. */
        long[] report() {
            if (out.length != 16) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            return new long[] {b.getLong(), b.getLong()};
        }
    }

    private static Run run(byte[] image, Path tmp) throws IOException, InterruptedException {
        assumeTrue(qemu != null, Qemu.MISSING);
        Path file = Files.createTempFile(tmp, "image-", ".elf");
        Files.write(file, image);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        Process p = new ProcessBuilder(qemu, file.toString()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) { // a guard against a hang, not a timing assertion
            p.destroyForcibly();
            throw new AssertionError("the emulated image did not end");
        }
        return new Run(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
    }

    private static Run runProgram(List<Step> steps, Path tmp) throws IOException, InterruptedException {
        Program program = new Program(0, steps, "", "", false, false);
        return run(ElfImage.build(program, 0, 1, new long[0], Arch.AARCH64), tmp);
    }

    private static Step write(int fd, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return Step.of(Syscall.WRITE, "write", new Arg.Imm(fd), new Arg.Bytes(b, null), new Arg.Imm(b.length));
    }

    private static Step openat(int slot, Path path, long flags) {
        return Step.storing(slot, Syscall.OPENAT, "open " + path, new Arg.Imm(K.AT_FDCWD), new Arg.Str(path.toString()),
                new Arg.Imm(flags | K.O_CLOEXEC), new Arg.Imm(0644));
    }

    private static void assumeRoot() {
        assumeTrue("0".equals(uid()), "needs root: unshare of mount and uts namespaces, mount, binfmt_misc");
    }

    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2]; // effective uid
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "?";
    }

    @Test
    void writeToStdoutAndRunOffTheTable(@TempDir Path tmp) throws Exception {
        Run r = runProgram(List.of(write(1, "hello from the aarch64 stub\n")), tmp);
        assertEquals("hello from the aarch64 stub\n", r.text(), r.err());
        assertEquals(0, r.status(), "running off the end of the table is exit_group(0)");
    }

    @Test
    void exitGroupGivesItsStatus(@TempDir Path tmp) throws Exception {
        Run r = runProgram(List.of(new Step(Syscall.EXIT_GROUP, List.of(new Arg.Imm(42)), 0, 0, 0, "exit")), tmp);
        assertEquals(42, r.status(), r.err());
        assertEquals(0, r.out().length);
    }

    @Test
    void openatStoresTheFdAndWriteUsesItFromTheSlot(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("written");
        Run r = runProgram(List.of(
                openat(8, file, K.O_WRONLY | K.O_CREAT),
                Step.of(Syscall.WRITE, "write the file", new Arg.Slot(8), new Arg.Bytes("slot-addressed\n".getBytes(StandardCharsets.UTF_8), null),
                        new Arg.Imm(15))), tmp);
        assertEquals(0, r.status(), r.err());
        assertEquals("slot-addressed\n", Files.readString(file));
    }

    @Test
    void mkdiratToleratesEexistAndReadFillsASlotByAddress(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("made");
        Path file = tmp.resolve("eight");
        Files.writeString(file, "ABCDEFGH");
        Run r = runProgram(List.of(
                Step.tolerating(Errno.EEXIST.number(), Syscall.MKDIRAT, "mkdir", new Arg.Imm(K.AT_FDCWD), new Arg.Str(dir.toString()), new Arg.Imm(0755)),
                Step.tolerating(Errno.EEXIST.number(), Syscall.MKDIRAT, "mkdir again", new Arg.Imm(K.AT_FDCWD), new Arg.Str(dir.toString()), new Arg.Imm(0755)),
                openat(8, file, K.O_RDONLY),
                Step.of(Syscall.READ, "read 8 bytes into slot 9", new Arg.Slot(8), new Arg.SlotAddr(9), new Arg.Imm(8)),
                Step.of(Syscall.WRITE, "write slot 9", new Arg.Imm(1), new Arg.SlotAddr(9), new Arg.Imm(8))), tmp);
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isDirectory(dir));
        assertEquals("ABCDEFGH", r.text());
    }

    @Test
    void aFailingStepReportsItsIndexAndErrnoAsTheInterpreterSays(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no/such/file");
        List<Step> steps = List.of(
                write(1, ""), // a zero-length write: 0, not a failure
                Step.tolerating(Errno.EEXIST.number(), Syscall.MKDIRAT, "mkdir", new Arg.Imm(K.AT_FDCWD), new Arg.Str(tmp.toString()), new Arg.Imm(0755)),
                openat(8, missing, K.O_RDONLY),
                write(1, "never\n"));
        Program program = new Program(0, steps, "", "", false, false);
        RecordingKernel kernel = new RecordingKernel()
                .answer(Syscall.MKDIRAT, c -> true, -Errno.EEXIST.number())
                .answer(Syscall.OPENAT, c -> c.str(1).equals(missing.toString()), -Errno.ENOENT.number());
        Interpreter.Outcome expected = Interpreter.run(program, new long[0], kernel);
        assertEquals(new Interpreter.Outcome.Failed(2, Errno.ENOENT.number()), expected);

        Run r = run(ElfImage.build(program, 0, 1, new long[0], Arch.AARCH64), tmp);
        assertEquals(127, r.status(), r.err());
        long[] report = r.report();
        assertTrue(report != null, "expected a 16-byte report on the error fd, got " + r.out().length + " bytes");
        assertEquals(2L, report[0], "step");
        assertEquals((long) Errno.ENOENT.number(), report[1], "errno");
    }

    @Test
    void aNonzeroStepFailsOnZeroWithErrnoZero(@TempDir Path tmp) throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty"));
        Run r = runProgram(List.of(
                openat(8, empty, K.O_RDONLY),
                new Step(Syscall.READ, List.of(new Arg.Slot(8), new Arg.SlotAddr(9), new Arg.Imm(1)), Step.CHECK | Step.NONZERO, 0, 0, "read a byte")), tmp);
        assertEquals(127, r.status(), r.err());
        assertEquals(List.of(1L, 0L), List.of(r.report()[0], r.report()[1]));
    }

    @Test
    void execModeImageTellsTheFailureOnStderr(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("missing");
        Program program = new Program(0, List.of(openat(8, missing, K.O_RDONLY)), "", "", false, false);
        Run r = run(ElfImage.forExecMode(program, Arch.AARCH64), tmp);
        assertEquals(127, r.status());
        assertEquals("isthmus: open " + missing + ": " + Errno.describe(Errno.ENOENT.number()) + "\n", r.err());
    }

    @Test
    void unshareMountTmpfsAndSethostname(@TempDir Path tmp) throws Exception {
        assumeRoot();
        Path dir = Files.createDirectory(tmp.resolve("mnt"));
        Files.writeString(dir.resolve("before"), "host"); // hidden by the tmpfs inside
        Path hostname = Path.of("/proc/sys/kernel/hostname");
        String hostBefore = Files.readString(hostname);
        List<Step> steps = new ArrayList<>(List.of(
                Step.of(Syscall.UNSHARE, "unshare mount and uts", new Arg.Imm(K.CLONE_NEWNS | K.CLONE_NEWUTS)),
                Step.of(Syscall.MOUNT, "make / private", new Arg.Str(null), new Arg.Str("/"), new Arg.Str(null),
                        new Arg.Imm(K.MS_REC | K.MS_PRIVATE), new Arg.Str(null)),
                Step.of(Syscall.MOUNT, "mount tmpfs", new Arg.Str("tmpfs"), new Arg.Str(dir.toString()), new Arg.Str("tmpfs"),
                        new Arg.Imm(K.MS_NOSUID | K.MS_NODEV), new Arg.Str("size=1m,mode=0700")),
                // the host's file is hidden: ENOENT stored, unchecked, then reported
                new Step(Syscall.OPENAT, List.of(new Arg.Imm(K.AT_FDCWD), new Arg.Str(dir.resolve("before").toString()), new Arg.Imm(K.O_RDONLY | K.O_CLOEXEC),
                        new Arg.Imm(0)), Step.STORE, 10, 0, "open the hidden file"),
                Step.of(Syscall.WRITE, "report it", new Arg.Imm(1), new Arg.SlotAddr(10), new Arg.Imm(8)),
                openat(8, dir.resolve("inside"), K.O_WRONLY | K.O_CREAT),
                Step.of(Syscall.WRITE, "write into the tmpfs", new Arg.Slot(8), new Arg.Bytes("tmpfs!\n".getBytes(StandardCharsets.UTF_8), null), new Arg.Imm(7)),
                Step.of(Syscall.SETHOSTNAME, "sethostname", new Arg.Str("isthmusA"), new Arg.Imm(8)),
                openat(9, hostname, K.O_RDONLY),
                Step.of(Syscall.READ, "read the hostname", new Arg.Slot(9), new Arg.SlotAddr(11), new Arg.Imm(8)),
                Step.of(Syscall.WRITE, "report it", new Arg.Imm(1), new Arg.SlotAddr(11), new Arg.Imm(8)),
                openat(12, dir.resolve("inside"), K.O_RDONLY),
                Step.of(Syscall.READ, "read the tmpfs file back", new Arg.Slot(12), new Arg.SlotAddr(13), new Arg.Imm(7)),
                Step.of(Syscall.WRITE, "report it", new Arg.Imm(1), new Arg.SlotAddr(13), new Arg.Imm(7))));
        Run r = runProgram(steps, tmp);
        assertEquals(0, r.status(), r.err());
        ByteBuffer out = ByteBuffer.wrap(r.out()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(23, r.out().length, "8 + 8 + 7 bytes reported");
        assertEquals(-Errno.ENOENT.number(), out.getLong(), "the host's file is under the tmpfs");
        byte[] name = new byte[8];
        out.get(name);
        assertEquals("isthmusA", new String(name, StandardCharsets.US_ASCII), "the hostname inside the new uts namespace");
        byte[] back = new byte[7];
        out.get(back);
        assertEquals("tmpfs!\n", new String(back, StandardCharsets.US_ASCII));
        // outside: the mount was private to the namespace, which ended with the process
        assertEquals(hostBefore, Files.readString(hostname), "the host's hostname is unchanged");
        assertFalse(Files.exists(dir.resolve("inside")), "the tmpfs file is not on the host");
        assertEquals("host", Files.readString(dir.resolve("before")));
    }

    @Test
    void execveOfAnAarch64Busybox(@TempDir Path tmp) throws Exception {
        assumeTrue(qemu != null, Qemu.MISSING);
        assumeTrue(Files.isExecutable(ARM64_BUSYBOX), "no aarch64 busybox at " + ARM64_BUSYBOX
                + " (.ci/run unpacks Debian's busybox-static:arm64 there; ISTHMUS_ARM64_BUSYBOX names another)");
        assumeRoot();
        try (Qemu.Binfmt binfmt = Qemu.binfmt(qemu)) {
            assumeTrue(binfmt.problem() == null, binfmt.problem());
            List<Step> steps = List.of(
                    Step.of(Syscall.UNSHARE, "unshare uts", new Arg.Imm(K.CLONE_NEWUTS)),
                    Step.of(Syscall.SETHOSTNAME, "sethostname", new Arg.Str("arm-box"), new Arg.Imm(7)),
                    Step.of(Syscall.EXECVE, "exec busybox", new Arg.Str(ARM64_BUSYBOX.toString()),
                            new Arg.StrArray(List.of("busybox", "sh", "-c", "echo $(busybox uname -m) $(busybox hostname); exit 7"), false),
                            new Arg.StrArray(List.of("PATH=" + ARM64_BUSYBOX.getParent()), true)),
                    write(1, "not reached\n"));
            Run r = runProgram(steps, tmp);
            assertEquals("aarch64 arm-box\n", r.text(), r.err());
            assertEquals(7, r.status());
            assertNotEquals("arm-box", Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
        }
    }
}
