package dev.isthmus.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Interpreter;
import dev.isthmus.plan.Kernel;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.sys.Arch;
import dev.isthmus.sys.ElfImage;
import dev.isthmus.sys.K;
import dev.isthmus.sys.Libc;
import dev.isthmus.sys.SpawnException;
import dev.isthmus.sys.Spawner;
import dev.isthmus.sys.Syscall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The reference interpreter and the real stubs (this machine's in a clone3 child, and on x86_64
 * also the aarch64 one under qemu) agree on harmless programs: opening /dev/null,
 * closing (open and closed fds), dup3, umask, writes of a slot to a file, a failing open, and an
 * end (exit_group, an execve that succeeds or fails, or running off the table). The interpreter
 * runs against {@link FdTableKernel}, a model of the kernel's fd table; the stub runs the same
 * program in a real child through {@link Spawner}. They must agree on how the program ended (the
 * failed step and errno, or the exit status) and on the bytes it wrote. fds are compared only
 * through what they do: the child's numbers depend on what the JVM has open, the model's do not.
 */
class StubAgreementProperties {

    private static final int OUT = 13;
    private static final int RESULT = 12;
    private static final int FIRST_FD_SLOT = 8;
    private static final int FD_SLOTS = 4;
    /** open(2): O_APPEND on Linux (02000 on every architecture but alpha, parisc and sparc). */
    private static final long O_APPEND = 02000;
    private static final long UNOPENED = 900; // preset in fd slots: never open in either kernel
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("isthmus-stub-props-");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** One generated step, with its own description for counterexamples. */
    record Op(String text, Step step) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Step step(Syscall call, int flags, int store, String what, Arg... args) {
        return new Step(call, List.of(args), flags, store, 0, what);
    }

    @Provide
    Arbitrary<List<Op>> programs() {
        Arbitrary<Integer> slot = Arbitraries.integers().between(FIRST_FD_SLOT, FIRST_FD_SLOT + FD_SLOTS - 1);
        Arbitrary<Op> open = Combinators.combine(slot, Arbitraries.of(true, false)).as((k, write) -> new Op(
                "$" + k + " = openat(/dev/null, " + (write ? "O_WRONLY" : "O_RDONLY") + ")",
                step(Syscall.OPENAT, Step.CHECK | Step.STORE, k, "open /dev/null", new Arg.Imm(K.AT_FDCWD), new Arg.Str("/dev/null"),
                        new Arg.Imm((write ? K.O_WRONLY : K.O_RDONLY) | K.O_CLOEXEC), new Arg.Imm(0))));
        Arbitrary<Op> openMissing = Arbitraries.just(new Op("openat(/nonexistent) checked",
                step(Syscall.OPENAT, Step.CHECK, 0, "open a missing file", new Arg.Imm(K.AT_FDCWD),
                        new Arg.Str("/nonexistent-isthmus-props/x"), new Arg.Imm(K.O_RDONLY | K.O_CLOEXEC), new Arg.Imm(0))));
        Arbitrary<Op> close = Combinators.combine(slot, Arbitraries.of(true, false)).as((k, checked) -> checked
                ? new Op("close($" + k + ") checked", step(Syscall.CLOSE, Step.CHECK, 0, "close", new Arg.Slot(k)))
                : new Op("$12 = close($" + k + ")", step(Syscall.CLOSE, Step.STORE, RESULT, "close", new Arg.Slot(k))));
        Arbitrary<Op> dup = Combinators.combine(slot, slot).as((from, to) -> new Op("$" + to + " = dup3($" + from + ", " + (950 + to) + ")",
                step(Syscall.DUP3, Step.CHECK | Step.STORE, to, "dup3", new Arg.Slot(from), new Arg.Imm(950 + to), new Arg.Imm(K.O_CLOEXEC))));
        Arbitrary<Op> umask = Arbitraries.of(0, 022, 077, 0777).map(m -> new Op("$12 = umask(0" + Integer.toOctalString(m) + ")",
                step(Syscall.UMASK, Step.STORE, RESULT, "umask", new Arg.Imm(m))));
        Arbitrary<Op> report = Arbitraries.just(new Op("write($13, &$12, 8)",
                step(Syscall.WRITE, Step.CHECK, 0, "write the result slot", new Arg.Slot(OUT), new Arg.SlotAddr(RESULT), new Arg.Imm(8))));
        Arbitrary<Op> writeSlot = slot.map(k -> new Op("$12 = write($" + k + ", \"x\", 1)",
                step(Syscall.WRITE, Step.STORE, RESULT, "write", new Arg.Slot(k), new Arg.Bytes(new byte[] {'x'}, null), new Arg.Imm(1))));
        Arbitrary<Op> getpid = Arbitraries.just(new Op("getpid()", step(Syscall.GETPID, 0, 0, "getpid")));
        Arbitrary<Op> middle = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, open), net.jqwik.api.Tuple.of(1, openMissing), net.jqwik.api.Tuple.of(4, close),
                net.jqwik.api.Tuple.of(2, dup), net.jqwik.api.Tuple.of(2, umask), net.jqwik.api.Tuple.of(4, report),
                net.jqwik.api.Tuple.of(2, writeSlot), net.jqwik.api.Tuple.of(1, getpid));
        Arbitrary<Op> end = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 100).map(n -> new Op("exit_group(" + n + ")",
                        step(Syscall.EXIT_GROUP, 0, 0, "exit", new Arg.Imm(n)))),
                Arbitraries.just(new Op("execve(/bin/busybox sh -c 'exit 42')", step(Syscall.EXECVE, Step.CHECK, 0, "exec busybox",
                        new Arg.Str("/bin/busybox"), new Arg.StrArray(List.of("busybox", "sh", "-c", "exit 42"), false),
                        new Arg.StrArray(List.of(), true)))),
                Arbitraries.just(new Op("execve(/nonexistent)", step(Syscall.EXECVE, Step.CHECK, 0, "exec a missing file",
                        new Arg.Str("/nonexistent-isthmus-props/x"), new Arg.StrArray(List.of("x"), false), new Arg.StrArray(List.of(), true)))),
                Arbitraries.just(new Op("(end of table)", null)));
        return Combinators.combine(middle.list().ofMaxSize(10), end).as((ops, last) -> {
            List<Op> all = new ArrayList<>(ops);
            all.add(last);
            return all;
        });
    }

    /** The kernel's fd table, as the interpreter sees it: which fds are open, and for writing or not. */
    static final class FdTableKernel implements Kernel {
        private final Map<Long, String> open = new HashMap<>(); // fd -> "r", "w" or a file path opened for appending
        private final Path out;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private long umask;

        FdTableKernel(Path out, long umask) {
            this.out = out;
            this.umask = umask;
            open.put(0L, "r");
            open.put(1L, "w");
            open.put(2L, "w");
        }

        public long call(Syscall call, List<Object> a) {
            return switch (call) {
                case OPENAT -> {
                    String path = (String) a.get(1);
                    if (!path.equals("/dev/null") && !path.equals(out.toString())) {
                        yield -2; // ENOENT
                    }
                    long fd = 3; // the lowest free fd (open(2)), so a closed fd's number comes back
                    while (open.containsKey(fd)) {
                        fd++;
                    }
                    boolean write = ((Long) a.get(2) & 3) != 0;
                    open.put(fd, path.equals(out.toString()) ? "out" : write ? "w" : "r");
                    yield fd;
                }
                case CLOSE -> open.remove((Long) a.getFirst()) != null ? 0 : -9; // EBADF
                case DUP3 -> {
                    long from = (Long) a.get(0);
                    long to = (Long) a.get(1);
                    if (!open.containsKey(from)) {
                        yield -9;
                    }
                    if (from == to) {
                        yield -22; // EINVAL
                    }
                    open.put(to, open.get(from));
                    yield to;
                }
                case UMASK -> {
                    long old = umask;
                    umask = (Long) a.getFirst() & 0777;
                    yield old;
                }
                case WRITE -> {
                    String mode = open.get((Long) a.get(0));
                    if (mode == null || mode.equals("r")) {
                        yield -9;
                    }
                    long len = (Long) a.get(2);
                    if (mode.equals("out")) {
                        long v = ((Kernel.Cell) a.get(1)).get();
                        for (int i = 0; i < 8; i++) {
                            written.write((int) (v >>> (8 * i)) & 0xff); // little-endian, as the slot lies in memory
                        }
                    }
                    yield len;
                }
                case GETPID -> 4242;
                case EXIT_GROUP -> 0; // the interpreter ends the program after it
                case EXECVE -> ((String) a.getFirst()).equals("/bin/busybox") ? 0 : -2;
                default -> throw new IllegalArgumentException("not modelled: " + call);
            };
        }
    }

    private static long jvmUmask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Long.parseLong(line.substring(6).trim(), 8);
            }
        }
        throw new IOException("no Umask line in /proc/self/status");
    }

    /** A generated program, the interpreter's verdict on it, and the file it writes to. */
    private record Case(Program program, long[] slots, FdTableKernel model, String want, Path out, long umaskBefore) {}

    private static Case prepare(List<Op> ops) throws IOException {
        Path out = Files.createTempFile(dir, "out", "");
        List<Step> steps = new ArrayList<>();
        steps.add(step(Syscall.OPENAT, Step.CHECK | Step.STORE, OUT, "open the output file", new Arg.Imm(K.AT_FDCWD),
                new Arg.Str(out.toString()), new Arg.Imm(K.O_WRONLY | O_APPEND | K.O_CLOEXEC), new Arg.Imm(0)));
        for (Op op : ops) {
            if (op.step() != null) {
                steps.add(op.step());
            }
        }
        Program program = new Program(0, steps, "", "", false, false);
        long[] slots = new long[Step.SLOTS];
        for (int k = FIRST_FD_SLOT; k < FIRST_FD_SLOT + FD_SLOTS; k++) {
            slots[k] = UNOPENED + k;
        }
        // clone3 without CLONE_FS copies the fs struct, and a process started by the JVM inherits
        // its umask: either way the stub starts from the JVM's umask and changes only its own.
        long umaskBefore = jvmUmask();
        FdTableKernel model = new FdTableKernel(out, umaskBefore);
        String want = switch (Interpreter.run(program, slots, model)) {
            case Interpreter.Outcome.Exited x -> "status " + x.status();
            case Interpreter.Outcome.Exec x -> "status 42";
            case Interpreter.Outcome.Failed f -> "failed at step " + f.step() + " errno " + f.errno();
        };
        return new Case(program, slots, model, want, out, umaskBefore);
    }

    private static void check(Case c, String actual) throws IOException {
        assertEquals(c.umaskBefore(), jvmUmask(), "the child's umask calls must not change the JVM's");
        assertEquals(c.want(), actual, "how the program ended");
        assertEquals(hex(c.model().written.toByteArray()), hex(Files.readAllBytes(c.out())), "what it wrote");
        Files.delete(c.out());
    }

    /** This machine's stub, in a clone3 child of the JVM. */
    @Property(tries = 100)
    void interpreterAndStubAgree(@ForAll("programs") List<Op> ops) throws IOException {
        Case c = prepare(ops);
        String actual;
        Spawner.Launch launch = Spawner.launch(c.program(), c.slots(), -1);
        int pidfd = launch.pidfd();
        try {
            try {
                launch.awaitExec();
                actual = "status " + Libc.waitPidfd(pidfd, false).shellStatus();
            } catch (SpawnException e) {
                actual = "failed at step " + e.step() + " errno " + e.errno();
            } finally {
                launch.close();
            }
        } finally {
            Libc.close(pidfd);
        }
        check(c, actual);
    }

    /**
     * The aarch64 stub on the same programs, as the aarch64 ELF image of each run by
     * qemu-aarch64-static (user-mode emulation; skipped without it, and on an aarch64 host, where
     * the property above runs the native aarch64 stub). The image's error fd is its stdout. Its
     * execve of /bin/busybox is the host's own execve, so the x86_64 busybox runs.
     */
    @Property(tries = 200)
    @AddLifecycleHook(NeedsQemuAarch64.class)
    void interpreterAndEmulatedAarch64StubAgree(@ForAll("programs") List<Op> ops) throws IOException, InterruptedException {
        Case c = prepare(ops);
        Path image = Files.createTempFile(dir, "image", ".elf");
        Files.write(image, ElfImage.build(c.program(), 0, 1, c.slots(), Arch.AARCH64));
        Files.setPosixFilePermissions(image, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Process p = new ProcessBuilder(NeedsQemuAarch64.QEMU, image.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] report = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) { // a guard against a hang, not a timing assertion
            p.destroyForcibly();
            throw new AssertionError("the emulated image did not end");
        }
        Files.delete(image);
        String actual;
        if (report.length == 16) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(report).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            actual = "failed at step " + b.getLong() + " errno " + b.getLong();
            assertEquals(127, p.exitValue(), "a failed program exits 127");
        } else {
            assertEquals(0, report.length, "stdout holds nothing but a report");
            actual = "status " + p.exitValue();
        }
        check(c, actual);
    }

    /** Skips a property when qemu-aarch64-static is missing or the host is aarch64 itself. */
    static final class NeedsQemuAarch64 implements SkipExecutionHook {
        static final String QEMU = find();

        private static String find() {
            for (String name : new String[] {"qemu-aarch64-static", "qemu-aarch64"}) {
                for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
                    Path p = Path.of(d.isEmpty() ? "." : d, name);
                    if (Files.isExecutable(p)) {
                        return p.toString();
                    }
                }
            }
            return null;
        }

        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            if (Arch.currentOrNull() == Arch.AARCH64) {
                return SkipResult.skip("the host is aarch64: interpreterAndStubAgree runs the aarch64 stub natively");
            }
            if (QEMU == null) {
                return SkipResult.skip("qemu-aarch64-static (Debian: qemu-user-static) is not installed: cannot emulate the aarch64 stub");
            }
            return SkipResult.doNotSkip();
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
