package dev.isthmus.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The default parallelism of a batch: two tasks per core that is free now, at least two. Free is
 * the idle share of all cores over a short sample of /proc/stat, times the cores this process
 * may use; on a shared node busy with other jobs that is fewer than the machine has, so a batch
 * does not flood the run queue, and it never drops below two (one launching, one running).
 */
public final class FreeCores {
    private FreeCores() {}

    /** How long the CPU counters are sampled. */
    static final long SAMPLE_MILLIS = 100;

    /** Cores idle over the sample (fractional), or all of them when /proc/stat cannot be read. */
    public static double now() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            long[] a = idleAndTotal();
            Thread.sleep(SAMPLE_MILLIS);
            long[] b = idleAndTotal();
            long total = b[1] - a[1];
            return total <= 0 ? cores : cores * (double) (b[0] - a[0]) / total;
        } catch (IOException | RuntimeException e) {
            return cores;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cores;
        }
    }

    /** The default -j: two per free core, rounded, at least two. */
    public static int defaultJobs() {
        return jobsFor(now());
    }

    static int jobsFor(double freeCores) {
        return Math.max(2, (int) Math.round(2 * freeCores));
    }

    /** {idle + iowait, all} jiffies of the "cpu" line of /proc/stat. */
    private static long[] idleAndTotal() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
        String[] f = line.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            throw new IOException("/proc/stat: no cpu line first");
        }
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), total};
    }
}
