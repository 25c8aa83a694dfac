package dev.isthmus.bench;

import dev.isthmus.sys.ProcNsScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One pass of the namespace scan (what NamespaceScan repeats until two agree): every numeric
 * entry of a proc directory, its ns/mnt link read and compared. {@code proc=real} is this host's
 * /proc, {@code proc=synthetic} a tree of 5,000 entries laid out like it (PID/ns/mnt symlinks
 * whose text is a namespace link, one in ten matching). Divide by the entry count the setup
 * prints for the cost per process; bench/scan-reference.sh measures the same pass in C.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NamespaceScanBenchmark {
    static final int SYNTHETIC_ENTRIES = 5_000;
    static final String MATCH = "mnt:[4026532999]";

    @Param({"real", "synthetic"})
    String proc;

    private Path tree;
    private ProcNsScanner scanner;
    private byte[] target;
    private int members;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String dir;
        if (proc.equals("real")) {
            dir = "/proc";
            target = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString().getBytes(StandardCharsets.US_ASCII);
        } else {
            tree = syntheticProc(Files.createTempDirectory("isthmus-scan"), SYNTHETIC_ENTRIES);
            dir = tree.toString();
            target = MATCH.getBytes(StandardCharsets.US_ASCII);
        }
        scanner = ProcNsScanner.open(dir);
        int[] n = new int[1];
        int unreadable = scanner.pass("mnt", target, pid -> n[0]++);
        long entries;
        try (var s = Files.list(Path.of(dir))) {
            entries = s.filter(p -> p.getFileName().toString().matches("\\d+")).count();
        }
        System.out.printf("%n%s: %d numeric entries, %d members, %d unreadable%n", dir, entries, n[0], unreadable);
    }

    /** A tree like /proc: N/ns/mnt -> "mnt:[...]" for N = 1..entries, plus non-numeric entries. */
    static Path syntheticProc(Path root, int entries) throws IOException {
        Files.createDirectories(root.resolve("self"));
        Files.createDirectories(root.resolve("sys"));
        for (int pid = 1; pid <= entries; pid++) {
            Path ns = Files.createDirectories(root.resolve(Integer.toString(pid)).resolve("ns"));
            Files.createSymbolicLink(ns.resolve("mnt"), Path.of(pid % 10 == 0 ? MATCH : "mnt:[40265" + (31000 + pid % 7) + "]"));
        }
        return root;
    }

    @Benchmark
    public int pass(Blackhole bh) {
        members = 0;
        return scanner.pass("mnt", target, pid -> members++);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        scanner.close();
        if (tree != null) {
            try (var s = Files.walk(tree)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
