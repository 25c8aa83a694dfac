package dev.isthmus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.batch.Launcher;
import dev.isthmus.batch.Task;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.testing.Bundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many launches from one JVM while another thread churns the heap: none may hang (the reason the
 * child runs a stub and never Java), and none may leak a process or an fd. Not a timing test: the
 * rate is printed for the README, never asserted. The count is -Disthmus.stress.launches
 * (default 20000).
 */
class LaunchStressTest {

    private static final int LAUNCHES = Integer.getInteger("isthmus.stress.launches", 20_000);
    /** A launch that has not finished after this long is a hang (a launch takes about a millisecond). */
    private static final long HANG_SECONDS = 60;

    @Test
    void manyLaunchesUnderGcChurnNeitherHangNorLeak(@TempDir Path tmp) throws Exception {
        assumeTrue(Bundles.isRoot(), "needs root: creates namespaces and mounts");
        assumeTrue(Bundles.haveStaticBusybox(), "needs a static /bin/busybox (apt-get install busybox-static)");
        Path bundle = tmp.resolve("bundle");
        Bundles.busyboxRootfs(bundle);
        Bundles.write(bundle, Bundles.config(List.of("true"), "stress", true,
                "[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]", "", ""));
        dev.isthmus.spec.Config config = ConfigReader.read(bundle.resolve("config.json"));
        try (Launcher warm = new Launcher(config, bundle, 2)) { // warm-up: JIT, first-use fds (jar, /proc, random) opened before the count
            for (int i = 0; i < 50; i++) {
                assertEquals(0, warm.submit(Task.of("warm-" + i)).join().exitCode());
            }
        }
        List<String> fdsBefore = fds();
        List<String> mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        // The batch path: tasks join a template mount namespace made once, place a layout made once
        Launcher batch = new Launcher(config, bundle, 2);
        assertTrue(batch.usesTemplateNamespace(), "the stress runs the template-namespace path");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong churned = new AtomicLong();
        Thread churn = Thread.ofPlatform().name("gc-churn").start(() -> {
            List<byte[]> keep = new java.util.ArrayList<>();
            while (!stop.get()) {
                keep.add(new byte[1024 + (int) (churned.get() % 64) * 512]);
                if (keep.size() > 4096) {
                    keep.clear();
                }
                churned.incrementAndGet();
            }
        });
        AtomicLong done = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
        Thread launcher = Thread.ofPlatform().name("submitter").start(() -> {
            for (int i = 0; i < LAUNCHES; i++) {
                inFlight.acquireUninterruptibly();
                batch.submit(Task.of("s" + i)).thenAccept(r -> {
                    if (!r.succeeded()) {
                        failures.incrementAndGet();
                    }
                    done.incrementAndGet();
                    inFlight.release();
                });
            }
            inFlight.acquireUninterruptibly(64); // every launch has ended
        });
        long lastDone = -1;
        long lastProgress = System.nanoTime();
        while (launcher.isAlive()) {
            launcher.join(1000);
            long d = done.get();
            if (d != lastDone) {
                lastDone = d;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(HANG_SECONDS)) {
                stop.set(true);
                throw new AssertionError("launch " + d + " hung for " + HANG_SECONDS + " s");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        churn.join();
        batch.close();

        assertEquals(LAUNCHES, done.get());
        assertEquals(0, failures.get(), "launches that did not exit 0");
        assertEquals(fdsBefore, fds(), "fds leaked");
        assertEquals(List.of(), children(), "child processes left");
        assertEquals(mountsBefore, Files.readAllLines(Path.of("/proc/self/mountinfo")), "mounts left in the runtime's namespace");
        assertTrue(churned.get() > 0);
        System.out.printf("LaunchStressTest: %d launches in %.1f s = %.0f launches/s (pid+mount+ipc+uts namespaces, "
                + "read-only busybox rootfs, /proc and a /dev tmpfs; isthmus batch's path: a template mount namespace) with %d allocations churned%n", LAUNCHES, seconds, LAUNCHES / seconds, churned.get());
    }

    private static List<String> fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }
}
