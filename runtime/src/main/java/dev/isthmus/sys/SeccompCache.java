package dev.isthmus.sys;

import dev.isthmus.spec.LinuxSeccomp;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Compiled seccomp filters kept on disk between runtime calls, so that a client which starts the
 * runtime once per container (podman, buildah, containerd, Slurm) compiles its profile once and
 * not at every {@code create} or {@code exec}. Compiling podman's default profile in a fresh JVM
 * costs about 140 ms (issue 16): libseccomp's functions are seven downcall shapes, each linking
 * classes the AOT cache cannot hold, and some 300 rules go through them interpreted. A hit reads
 * one small file and calls no native code.
 *
 * <p>An entry is {@code DIR/HASH}: DIR is /var/cache/isthmus/seccomp (a cache, which may go at
 * any time, not the containers' state: nothing is left under {@code --root}), rootless
 * $XDG_RUNTIME_DIR/isthmus-cache/seccomp ({@link #standard}); HASH is a 64-bit hash of the key.
 * An entry is written only once a container was made with its filter (see
 * {@link Seccomp#keepLast}), so a refused config leaves none. The entry holds:
 * <ul>
 * <li>the whole key, compared byte for byte on read, so a hash collision is a miss. The key is an
 *     unambiguous encoding of every field of {@code linux.seccomp}, with the architecture and
 *     the loader's environment (LD_LIBRARY_PATH, LD_PRELOAD);
 * <li>which libseccomp compiled it: the library's path (from /proc/self/maps) and its device,
 *     inode, size and change time. A hit needs that file unchanged, so an upgraded or removed
 *     libseccomp compiles again (and a removed one fails as it always did);
 * <li>the filter (program, flags, rule count, skipped names);
 * <li>a CRC-32C of all of the above: a truncated or damaged entry is a miss.
 * </ul>
 * Entries are written to a temporary name and renamed. The directory is made 0700 and entries
 * 0600; an entry is used only when the directory and the entry belong to this process's
 * effective user, are no symlinks, and give nothing to group or others. Only that user (root, or
 * the rootless user in a runtime directory of its own) can write there, and it could already
 * change the bundles and the runtime itself. No container sees the directory unless its config
 * binds it in. Any failure of the cache is a miss, never an error. At most {@link #MAX_ENTRIES}
 * entries are kept; the oldest go first.
 */
public final class SeccompCache {
    /** Entries kept; a host with more distinct profiles than this recompiles the older ones. */
    static final int MAX_ENTRIES = 64;

    private static final String MAGIC = "isthmus-seccomp-cache-1";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    /** A cache in {@code dir} (made on first store). */
    public SeccompCache(Path dir) {
        this.dir = dir;
    }

    /**
     * This user's cache: /var/cache/isthmus/seccomp as root; rootless
     * $XDG_RUNTIME_DIR/isthmus-cache/seccomp, or none when XDG_RUNTIME_DIR is unset. Not under
     * $HOME: rootless runtimes often bind the home directory into the container, whose program
     * runs as the same user and could then plant a filter for the user's next containers.
     */
    public static SeccompCache standard() {
        if (!Rootless.active()) {
            return new SeccompCache(Path.of("/var/cache/isthmus/seccomp"));
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        return runtimeDir != null && runtimeDir.startsWith("/") ? new SeccompCache(Path.of(runtimeDir, "isthmus-cache", "seccomp")) : null;
    }

    public Path dir() {
        return dir;
    }

    /** The filter compiled earlier for {@code s} by the libseccomp still installed, or null. */
    public Seccomp.Filter load(LinuxSeccomp s) {
        byte[] key = key(s);
        Path entry = dir.resolve(name(key));
        try {
            if (!trusted(entry)) {
                return null;
            }
            byte[] all = Files.readAllBytes(entry);
            if (all.length < 8) {
                return null;
            }
            CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 8);
            if (java.nio.ByteBuffer.wrap(all).getLong(all.length - 8) != crc.getValue()) { // big-endian, as writeLong
                return null;
            }
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8));
            if (!in.readUTF().equals(MAGIC) || !Arrays.equals(readBytes(in), key)) {
                return null;
            }
            LibraryIdentity lib = LibraryIdentity.read(in);
            if (!lib.sameAs(LibraryIdentity.of(Path.of(lib.path)))) {
                return null;
            }
            long flags = in.readLong();
            String flagNames = in.readUTF();
            int rules = in.readInt();
            int n = in.readInt();
            List<String> unknown = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                unknown.add(in.readUTF());
            }
            byte[] bpf = readBytes(in);
            if (in.available() != 0 || bpf.length == 0 || bpf.length % 8 != 0) {
                return null;
            }
            return new Seccomp.Filter(bpf, flags, flagNames, rules, unknown);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Keeps {@code f}, compiled for {@code s} by the libseccomp loaded in this process; returns
     * whether it was written (false, and nothing left behind, when it could not be).
     */
    public boolean store(LinuxSeccomp s, Seccomp.Filter f) {
        LibraryIdentity lib;
        try {
            lib = LibraryIdentity.loaded();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return lib != null && store(s, f, lib);
    }

    /** {@link #store(LinuxSeccomp, Seccomp.Filter)}, naming the library that compiled {@code f}. */
    boolean store(LinuxSeccomp s, Seccomp.Filter f, LibraryIdentity lib) {
        Path tmp = null;
        try {
            byte[] key = key(s);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(MAGIC);
            writeBytes(out, key);
            lib.write(out);
            out.writeLong(f.flags());
            out.writeUTF(f.flagNames());
            out.writeInt(f.rules());
            out.writeInt(f.unknownNames().size());
            for (String u : f.unknownNames()) {
                out.writeUTF(u);
            }
            writeBytes(out, f.bpf());
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            makeDir();
            tmp = Files.createTempFile(dir, ".new-", "", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, dir.resolve(name(key)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            evict();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the cache is best effort; the next store replaces it
                }
            }
        }
    }

    private void makeDir() throws IOException {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier call; trusted() judges it
        }
        if (!ownerOnly(Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS), true) || !ours(dir)) {
            throw new IOException(dir + " is not a directory of its owner's alone");
        }
    }

    /** Removes the oldest entries beyond MAX_ENTRIES (and temporary files a crash left, once old). */
    private void evict() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                entries.add(p);
            }
        }
        if (entries.size() <= MAX_ENTRIES) {
            return;
        }
        Map<Path, FileTime> times = new java.util.HashMap<>();
        for (Path p : entries) {
            try {
                times.put(p, Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
            } catch (IOException e) {
                times.put(p, FileTime.fromMillis(0));
            }
        }
        entries.sort(Comparator.comparing(times::get));
        for (Path p : entries.subList(0, entries.size() - MAX_ENTRIES)) {
            Files.deleteIfExists(p);
        }
    }

    private boolean trusted(Path entry) throws IOException {
        if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes e = Files.readAttributes(entry, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return ownerOnly(d, true) && ownerOnly(e, false) && ours(dir) && ours(entry);
    }

    /** Whether {@code p} belongs to this process's effective uid. */
    private static boolean ours(Path p) throws IOException {
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return uid instanceof Integer u && u.longValue() == Rootless.euid();
    }

    private static boolean ownerOnly(PosixFileAttributes a, boolean directory) {
        boolean kind = directory ? a.isDirectory() : a.isRegularFile();
        for (PosixFilePermission p : a.permissions()) {
            if (!p.name().startsWith("OWNER_")) {
                return false;
            }
        }
        return kind && !a.isSymbolicLink();
    }

    /** The file name of an entry: 64 bits of FNV-1a over the key, in hex. */
    static String name(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return java.util.HexFormat.of().toHexDigits(h);
    }

    /**
     * Every field of {@code s}, length-prefixed, with presence marks for optional ones, so two
     * different profiles never encode alike; then what else decides libseccomp's output here.
     */
    static byte[] key(LinuxSeccomp s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(MAGIC);
            optional(out, System.getProperty("os.arch"));
            optional(out, System.getenv("LD_LIBRARY_PATH"));
            optional(out, System.getenv("LD_PRELOAD"));
            optional(out, s.defaultAction());
            optional(out, s.defaultErrnoRet());
            strings(out, s.architectures());
            strings(out, s.flags());
            optional(out, s.listenerPath());
            optional(out, s.listenerMetadata());
            out.writeInt(s.syscalls().size());
            for (LinuxSeccomp.Syscall sc : s.syscalls()) {
                strings(out, sc.names());
                optional(out, sc.action());
                optional(out, sc.errnoRet());
                out.writeInt(sc.args().size());
                for (LinuxSeccomp.Arg a : sc.args()) {
                    out.writeLong(a.index());
                    out.writeLong(a.value());
                    optional(out, a.valueTwo());
                    optional(out, a.op());
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void strings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String x : list) {
            optional(out, x);
        }
    }

    // writeUTF takes at most 65,535 bytes; a longer string goes as its UTF-8 bytes.
    private static void optional(DataOutputStream out, String x) throws IOException {
        out.writeBoolean(x != null);
        if (x != null) {
            writeBytes(out, x.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static void optional(DataOutputStream out, Long x) throws IOException {
        out.writeBoolean(x != null);
        if (x != null) {
            out.writeLong(x);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length");
        }
        return in.readNBytes(n);
    }

    /** The libseccomp file that compiled an entry, as stat(2) sees it. */
    record LibraryIdentity(String path, long dev, long ino, long size, long ctimeNanos) {
        /** The libseccomp this process has mapped, or null (not loaded, or not found in the maps). */
        static LibraryIdentity loaded() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash > 0 && line.substring(slash).contains("/libseccomp.so")) {
                    return of(Path.of(line.substring(slash).trim()));
                }
            }
            return null;
        }

        static LibraryIdentity of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,ctime");
            FileTime ctime = (FileTime) a.get("ctime");
            return new LibraryIdentity(p.toString(), (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                    ctime.to(java.util.concurrent.TimeUnit.NANOSECONDS));
        }

        // By hand: a record's equals is bootstrapped through ObjectMethods at its first call,
        // about 10 ms of spun classes in a fresh JVM.
        boolean sameAs(LibraryIdentity o) {
            return path.equals(o.path) && dev == o.dev && ino == o.ino && size == o.size && ctimeNanos == o.ctimeNanos;
        }

        void write(DataOutputStream out) throws IOException {
            out.writeUTF(path);
            out.writeLong(dev);
            out.writeLong(ino);
            out.writeLong(size);
            out.writeLong(ctimeNanos);
        }

        static LibraryIdentity read(DataInputStream in) throws IOException {
            return new LibraryIdentity(in.readUTF(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        }
    }
}
