package dev.isthmus.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.spec.LinuxSeccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cache of compiled seccomp filters: a hit gives back exactly what was compiled; any
 * other profile, another libseccomp, a damaged entry or one others could write is a miss.
 */
class SeccompCacheTest {
    @TempDir
    Path tmp;

    private static LinuxSeccomp profile(String errnoName, long errnoRet) {
        return new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, List.of(
                new LinuxSeccomp.Syscall(List.of(errnoName), "SCMP_ACT_ERRNO", errnoRet, List.of()),
                new LinuxSeccomp.Syscall(List.of("personality"), "SCMP_ACT_ERRNO", null,
                        List.of(new LinuxSeccomp.Arg(0, 8, null, "SCMP_CMP_EQ")))));
    }

    /** A filter as a compile would give it, without libseccomp: the cache does not look inside. */
    private static Seccomp.Filter filter(int instructions) {
        byte[] bpf = new byte[8 * instructions];
        for (int i = 0; i < bpf.length; i++) {
            bpf[i] = (byte) (i * 7);
        }
        return new Seccomp.Filter(bpf, 4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 3, List.of("linux.seccomp.syscalls[0].names[1] (nosuch)"));
    }

    private SeccompCache.LibraryIdentity library() throws Exception {
        Path lib = tmp.resolve("libseccomp.so.2");
        if (!Files.exists(lib)) {
            Files.writeString(lib, "a library");
        }
        return SeccompCache.LibraryIdentity.of(lib);
    }

    /** A cache holding one entry: profile("mkdir", 1)'s, a 20-instruction filter. */
    private SeccompCache cacheWithOne() throws Exception {
        SeccompCache cache = new SeccompCache(tmp.resolve("cache"));
        assertTrue(cache.store(profile("mkdir", 1), filter(20), library()));
        return cache;
    }

    private static void assertSameFilter(Seccomp.Filter want, Seccomp.Filter got) {
        assertNotNull(got, "a hit");
        assertArrayEquals(want.bpf(), got.bpf());
        assertEquals(want.flags(), got.flags());
        assertEquals(want.flagNames(), got.flagNames());
        assertEquals(want.rules(), got.rules());
        assertEquals(want.unknownNames(), got.unknownNames());
    }

    private Path onlyEntry(SeccompCache cache) throws Exception {
        try (Stream<Path> s = Files.list(cache.dir())) {
            List<Path> all = s.toList();
            assertEquals(1, all.size(), all.toString());
            return all.getFirst();
        }
    }

    @Test
    void aStoredFilterComesBackWholeAndTheEntryIsTheOwnersAlone() throws Exception {
        SeccompCache cache = new SeccompCache(tmp.resolve("cache"));
        LinuxSeccomp s = profile("mkdir", 1);
        assertNull(cache.load(s), "nothing stored yet");
        assertTrue(cache.store(s, filter(20), library()));
        assertSameFilter(filter(20), cache.load(s));
        assertSameFilter(filter(20), cache.load(profile("mkdir", 1)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.dir())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyEntry(cache))));
    }

    @Test
    void anyOtherProfileMisses() throws Exception {
        SeccompCache cache = cacheWithOne();
        assertNotNull(cache.load(profile("mkdir", 1)));
        assertNull(cache.load(profile("mkdir", 2)), "another errnoRet");
        assertNull(cache.load(profile("rmdir", 1)), "another name");
        LinuxSeccomp withArch = new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86"), List.of(), null, null,
                profile("mkdir", 1).syscalls());
        assertNull(cache.load(withArch), "another architecture list");
    }

    @Test
    void theKeyTellsApartProfilesWhoseTextsRunTogether() {
        LinuxSeccomp one = new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null,
                List.of(new LinuxSeccomp.Syscall(List.of("a, b"), "SCMP_ACT_ERRNO", null, List.of())));
        LinuxSeccomp two = new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null,
                List.of(new LinuxSeccomp.Syscall(List.of("a", "b"), "SCMP_ACT_ERRNO", null, List.of())));
        assertEquals(one.toString(), two.toString(), "their record texts agree");
        assertFalse(java.util.Arrays.equals(SeccompCache.key(one), SeccompCache.key(two)));
        LinuxSeccomp nullRet = new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, List.of());
        LinuxSeccomp zeroRet = new LinuxSeccomp("SCMP_ACT_ALLOW", 0L, List.of(), List.of(), null, null, List.of());
        assertFalse(java.util.Arrays.equals(SeccompCache.key(nullRet), SeccompCache.key(zeroRet)), "absent is not zero");
    }

    @Test
    void aChangedLibraryMisses() throws Exception {
        SeccompCache cache = cacheWithOne();
        LinuxSeccomp s = profile("mkdir", 1);
        assertNotNull(cache.load(s));
        // an upgrade writes a new file: another inode, size and change time
        Path lib = tmp.resolve("libseccomp.so.2");
        Path next = tmp.resolve("libseccomp.so.2.next");
        Files.writeString(next, "another library, longer");
        Files.move(next, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertNull(cache.load(s), "compiled by a library that is gone");
        Files.delete(lib);
        assertNull(cache.load(s), "no library at all");
    }

    @Test
    void aDamagedOrTruncatedEntryMisses() throws Exception {
        SeccompCache cache = cacheWithOne();
        LinuxSeccomp s = profile("mkdir", 1);
        Path entry = onlyEntry(cache);
        byte[] good = Files.readAllBytes(entry);
        for (int at : new int[] {0, good.length / 2, good.length - 20, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(entry, bad);
            assertNull(cache.load(s), "a flipped bit at " + at);
        }
        Files.write(entry, java.util.Arrays.copyOf(good, good.length - 9));
        assertNull(cache.load(s), "truncated");
        Files.write(entry, new byte[0]);
        assertNull(cache.load(s), "empty");
        Files.write(entry, good);
        assertNotNull(cache.load(s), "restored");
    }

    @Test
    void anEntryOthersCouldWriteOrASymlinkIsNotUsed() throws Exception {
        SeccompCache cache = cacheWithOne();
        LinuxSeccomp s = profile("mkdir", 1);
        Path entry = onlyEntry(cache);
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNull(cache.load(s), "a world-writable entry");
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
        assertNotNull(cache.load(s));
        if (Rootless.euid() == 0) { // only root can give a file away
            Files.setAttribute(entry, "unix:uid", 4321);
            assertNull(cache.load(s), "an entry of another user");
            Files.setAttribute(entry, "unix:uid", 0);
            assertNotNull(cache.load(s));
        }
        Files.setPosixFilePermissions(cache.dir(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(cache.load(s), "a directory others may write to");
        assertFalse(cache.store(profile("rmdir", 1), filter(4), library()), "nor is one stored there");
        Files.setPosixFilePermissions(cache.dir(), PosixFilePermissions.fromString("rwx------"));
        Path real = tmp.resolve("elsewhere");
        Files.move(entry, real);
        Files.createSymbolicLink(entry, real);
        assertNull(cache.load(s), "a symlink to an entry");
    }

    @Test
    void atMostMaxEntriesAreKept() throws Exception {
        SeccompCache cache = new SeccompCache(tmp.resolve("cache"));
        List<LinuxSeccomp> profiles = new ArrayList<>();
        for (int i = 0; i < SeccompCache.MAX_ENTRIES + 5; i++) {
            LinuxSeccomp s = profile("mkdir", 100 + i);
            profiles.add(s);
            assertTrue(cache.store(s, filter(4), library()));
        }
        try (Stream<Path> s = Files.list(cache.dir())) {
            assertEquals(SeccompCache.MAX_ENTRIES, s.count());
        }
        assertNotNull(cache.load(profiles.getLast()), "the newest is kept");
    }

    @Test
    void compileReadsTheCacheAndKeepsOnlyWhatItCompiledWhenAskedTo() throws Exception {
        assumeTrue(Seccomp.available(), () -> "libseccomp.so.2 is not installed: " + Seccomp.unavailableReason());
        SeccompCache cache = new SeccompCache(tmp.resolve("cache"));
        LinuxSeccomp s = profile("mkdir", 1);
        try {
            Seccomp.forgetLast();
            Seccomp.keepCompiled(cache);
            Seccomp.Filter compiled = Seccomp.compile(s);
            assertFalse(Files.exists(cache.dir()), "nothing is written before keepLast (a refused create leaves none)");
            Seccomp.keepLast();
            assertSameFilter(compiled, cache.load(s));
            // The entry names the libseccomp this process mapped.
            assertNotNull(SeccompCache.LibraryIdentity.loaded());
            // A new process (no filter in memory) takes the cache's entry: here one planted for
            // the test, which no compile would give, so the hit shows.
            Seccomp.Filter planted = filter(6);
            assertTrue(cache.store(s, planted, SeccompCache.LibraryIdentity.loaded()));
            Seccomp.forgetLast();
            assertSameFilter(planted, Seccomp.compile(s));
            Seccomp.keepLast();
            assertSameFilter(planted, cache.load(s));
            // Without a disk cache it compiles again.
            Seccomp.forgetLast();
            Seccomp.keepCompiled(null);
            Seccomp.Filter again = Seccomp.compile(s);
            assertArrayEquals(compiled.bpf(), again.bpf());
            assertSame(again, Seccomp.compile(s), "the same profile again: the filter in memory");
        } finally {
            Seccomp.keepCompiled(null);
            Seccomp.forgetLast();
        }
    }
}
