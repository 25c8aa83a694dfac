package dev.isthmus.cli;

import dev.isthmus.batch.Launcher;
import dev.isthmus.batch.Task;
import dev.isthmus.batch.TaskResult;
import dev.isthmus.plan.PlanException;
import dev.isthmus.spec.ConfigException;
import dev.isthmus.spec.ConfigReader;
import dev.isthmus.sys.SignalForwarding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** `isthmus batch`: many short containers from one template bundle, from one JVM. */
final class BatchCommand implements Callable<Integer> {
    CommandSpec model() {
        Model m = Model.command("batch", this, "Run many tasks (JSON lines) as containers of one template bundle.");
        m.option("-b --bundle", Path.class, "The template bundle (default: the current directory).", v -> bundle = v);
        m.option("-j --jobs", int.class, "Tasks running at once (default: 2 x the cores free when the batch starts, at least 2).", v -> {
            jobs = v;
            jobsGiven = true;
        });
        m.option("--results", Path.class, "Write the result lines here instead of stdout.", v -> results = v);
        m.positional("0", "1", "TASKS", "A file with one JSON task per line, or - for stdin.", String.class, v -> tasks = v);
        return m.spec();
    }

    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;
    private static final long KILL_AFTER_MILLIS = 5000;

    Path bundle = Path.of(".");

    /** Unless given: chosen from the cores free at start ({@link dev.isthmus.batch.FreeCores}). */
    int jobs;

    boolean jobsGiven;

    Path results;

    String tasks;

    @Override
    public Integer call() throws Exception {
        if (!jobsGiven) {
            jobs = dev.isthmus.batch.FreeCores.defaultJobs();
        }
        Launcher launcher;
        try {
            dev.isthmus.spec.Config template = ConfigReader.read(bundle.resolve("config.json"));
            launcher = new Launcher(template, bundle, jobs);
        } catch (ConfigException | PlanException | IllegalArgumentException e) {
            System.err.println("isthmus: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("isthmus: the batch's cgroup (linux.cgroupsPath, linux.resources): " + e.getMessage());
            return 1;
        }
        long rssStart = rssKiB();
        long fdsStart = openFds();
        PrintStream out = results == null ? System.out
                : new PrintStream(Files.newOutputStream(results), false, StandardCharsets.UTF_8);
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Progress progress = new Progress(launcher, submitted, finished, failed, System.nanoTime());
        SignalForwarding signals = SignalForwarding.toPipe(SIGINT, SIGTERM);
        CountDownLatch allDone = new CountDownLatch(1);
        Thread watcher = Thread.ofPlatform().name("ctrl-c").daemon().start(() -> {
            if (signals.next() > 0) {
                interrupted.set(1);
                System.err.println("\nisthmus: interrupted: stopping launches, sending SIGTERM to running tasks");
                launcher.interrupt(SIGTERM);
                try {
                    if (!allDone.await(KILL_AFTER_MILLIS, TimeUnit.MILLISECONDS)) {
                        launcher.interrupt(SIGKILL);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            signals.closeReader();
        });
        progress.start();
        boolean badInput = false;
        // Backpressure: read ahead only a few tasks per slot, so memory does not grow with the
        // length of the tasks file.
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(4 * jobs + 64);
        try (BufferedReader in = tasks.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(tasks), StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null && interrupted.get() == 0) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Task task = Task.parse(line, lineNo);
                inFlight.acquire();
                submitted.incrementAndGet();
                launcher.submit(task).thenAccept(r -> {
                    inFlight.release();
                    if (!r.succeeded()) {
                        failed.incrementAndGet();
                    }
                    synchronized (out) {
                        out.println(r.toJson());
                    }
                    finished.incrementAndGet();
                });
            }
        } catch (IllegalArgumentException | IOException e) {
            // A bad tasks file stops the batch like Ctrl-C: nothing is left running.
            System.err.println("isthmus: " + e.getMessage());
            badInput = true;
            launcher.interrupt(SIGTERM);
        } finally {
            launcher.close();
            allDone.countDown();
            progress.finish();
            signals.close();
            out.flush();
            if (results != null) {
                out.close();
            }
        }
        int status = badInput ? 1 : interrupted.get() != 0 ? 130 : failed.get() == 0 ? 0 : 1;
        System.err.printf("isthmus: %d tasks, %d failed%s; RSS %d KiB at start, %d KiB at end; %d open fds at start, %d at end%n",
                finished.get(), failed.get(), interrupted.get() != 0 ? ", interrupted" : "", rssStart, rssKiB(), fdsStart, openFds());
        return status;
    }

    static long openFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count() - 1; // less the directory stream's own fd
        } catch (IOException e) {
            return -1;
        }
    }

    static long rssKiB() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not on Linux /proc
        }
        return -1;
    }

    /** A progress bar on a terminal, plain periodic lines otherwise, on stderr. */
    private static final class Progress extends Thread {
        private final Launcher launcher;
        private final AtomicInteger submitted;
        private final AtomicInteger finished;
        private final AtomicInteger failed;
        private final long start;
        private final boolean tty = System.console() != null && dev.isthmus.sys.Pty.isatty(2);
        private volatile boolean done;

        Progress(Launcher launcher, AtomicInteger submitted, AtomicInteger finished, AtomicInteger failed, long start) {
            super("progress");
            setDaemon(true);
            this.launcher = launcher;
            this.submitted = submitted;
            this.finished = finished;
            this.failed = failed;
            this.start = start;
        }

        @Override
        public void run() {
            while (!done) {
                try {
                    Thread.sleep(tty ? 200 : 5000);
                } catch (InterruptedException e) {
                    return;
                }
                if (!done) {
                    print(false);
                }
            }
        }

        void finish() {
            done = true;
            interrupt();
            if (tty) {
                print(true);
            }
        }

        private void print(boolean last) {
            int total = submitted.get();
            int d = finished.get();
            double secs = (System.nanoTime() - start) / 1e9;
            double rate = d / Math.max(secs, 1e-9);
            long eta = rate > 0 ? Math.round((total - d) / rate) : -1;
            String stats = String.format("%d/%d done, %d running, %d failed, %.0f tasks/s, ETA %s", d, total, launcher.running(),
                    failed.get(), rate, eta < 0 ? "?" : eta + "s");
            if (tty) {
                int width = 30;
                int filled = total == 0 ? 0 : (int) ((long) width * d / total);
                System.err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + stats + (last ? "\n" : ""));
            } else {
                System.err.println("isthmus: " + stats);
            }
        }
    }
}
