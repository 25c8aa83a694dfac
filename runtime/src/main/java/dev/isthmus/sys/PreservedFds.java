package dev.isthmus.sys;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The range runc's {@code --preserve-fds N} passes to a container, fds 3 to 2 + N, holding only
 * what the caller put there.
 *
 * <p>The JVM opens its modules image and its jars before {@code main}, without close-on-exec, at
 * the lowest free numbers. A caller that passes fewer than N fds, or leaves a gap, therefore has
 * the runtime's own files in the range, and the runtime's later pipes and pidfds would land there
 * too. Passed on, a root process in the container could reopen the runtime's jar for writing
 * through {@code /proc/self/fd/N}, as CVE-2019-5736 did with runc's binary, and an error pipe in
 * the range would reach the user program. So, before the runtime opens anything of its own:
 * <ul>
 * <li>each fd of the range that names a file of the runtime (under {@code java.home} or the
 *     class path) becomes close-on-exec. The JVM keeps using it, and the container never gets
 *     it;
 * <li>each free number of the range gets a close-on-exec {@code /dev/null}, so that what the
 *     runtime opens later lands above the range. These close with the exec too.
 * </ul>
 * The container then gets the caller's fds of the range and nothing else; a number the caller
 * left free is closed in the container (runc would pass whatever its own process had there).
 */
public final class PreservedFds {
    private PreservedFds() {}

    private static final int FD_CLOEXEC = 1;

    /** At most this many free numbers of the range are filled (each a placeholder fd). */
    static final int MAX_GAPS = 4096;

    /**
     * Prepares fds 3 to 2 + {@code n} as described above; 0 does nothing. Returns null, or why
     * the range cannot be passed (then nothing was changed): it reaches past the open-file limit,
     * or the caller left more than {@link #MAX_GAPS} of its numbers free.
     */
    public static String prepare(int n) {
        if (n <= 0) {
            return null;
        }
        long limit = softOpenFileLimit();
        if (3L + n > limit) {
            return "fds 3 to " + (2L + n) + " reach past the open-file limit (" + limit + ")";
        }
        java.util.Set<Integer> open = openFds();
        List<Integer> free = new ArrayList<>();
        List<Integer> runtimes = new ArrayList<>();
        List<String> own = ownPlaces();
        for (int fd = 3; fd < 3 + n; fd++) {
            if (!open.contains(fd)) {
                free.add(fd);
                if (free.size() > MAX_GAPS) {
                    return "more than " + MAX_GAPS + " of fds 3 to " + (2L + n) + " are not open: pass them, or a smaller N";
                }
                continue;
            }
            String target = target(fd);
            if (target == null) {
                free.add(fd); // closed since the listing
            } else if (runtimes(target, own)) {
                runtimes.add(fd);
            }
        }
        for (int fd : runtimes) {
            long r = Libc.syscall(Syscall.FCNTL, fd, K.F_SETFD, FD_CLOEXEC);
            if (r < 0) {
                throw new SysException("fcntl(" + fd + ", F_SETFD, FD_CLOEXEC)", (int) -r);
            }
        }
        if (free.isEmpty()) {
            return null;
        }
        int devNull = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            for (int fd : free) {
                if (fd == devNull) {
                    continue; // it took the first free number itself: it stays as that placeholder
                }
                long r = Libc.syscall(Syscall.DUP3, devNull, fd, Libc.O_CLOEXEC);
                if (r < 0) {
                    throw new SysException("dup3(/dev/null, " + fd + ")", (int) -r);
                }
            }
        } finally {
            if (!free.contains(devNull)) {
                Libc.close(devNull);
            }
        }
        return null;
    }

    /** The fds open now (the listing's own directory fd included, which is closed again). */
    static java.util.Set<Integer> openFds() {
        java.util.Set<Integer> open = new java.util.HashSet<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> open.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("list /proc/self/fd", e);
        }
        return open;
    }

    /** The soft RLIMIT_NOFILE from /proc/self/limits ("Max open files"), or Long.MAX_VALUE. */
    static long softOpenFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no limit known: dup3 reports one it meets
        }
        return Long.MAX_VALUE;
    }

    /** Where fd points (its /proc/self/fd link), or null when it is not open. */
    static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("readlink /proc/self/fd/" + fd, e);
        }
    }

    /** Whether a link target is one of the runtime's own files (under one of {@code own}). */
    static boolean runtimes(String target, List<String> own) {
        for (String place : own) {
            if (target.equals(place) || target.startsWith(place.endsWith("/") ? place : place + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The places the JVM opens files from before {@code main}: {@code java.home}, and for each
     * class path entry its directory (a jar's: the jars its manifest names sit beside it).
     */
    static List<String> ownPlaces() {
        List<String> own = new ArrayList<>();
        own.add(real(Path.of(System.getProperty("java.home"))));
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            Path place = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
            if (place != null) {
                own.add(real(place));
            }
        }
        return own;
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }
}
