package dev.isthmus.sys;

import dev.isthmus.spec.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The subordinate id ranges a user was granted in /etc/subuid or /etc/subgid (subuid(5): one
 * {@code NAME_OR_UID:START:COUNT} per line), and the check a rootless runtime makes before it
 * asks newuidmap/newgidmap for a mapping: every host id a mapping names must be the caller's own
 * id (a single id, which the kernel lets it map itself) or lie in one granted range, as those
 * setuid helpers check themselves. Checking first turns their terse refusal into a sentence
 * naming the field and the range.
 */
public final class SubordinateIds {
    private SubordinateIds() {}

    /** One granted range: host ids {@code start} to {@code start + count - 1}. */
    public record Range(long start, long count) {
        boolean covers(long from, long size) {
            return from >= start && from + size <= start + count;
        }

        @Override
        public String toString() {
            return start + "-" + (start + count - 1);
        }
    }

    /** The ranges of {@code user} (by name) or {@code uid} (by number) in the text of a subuid/subgid file. */
    public static List<Range> parse(String text, String user, long uid) {
        List<Range> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split(":");
            if (f.length != 3 || !(f[0].equals(user) || f[0].equals(Long.toString(uid)))) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (start >= 0 && count > 0) {
                    out.add(new Range(start, count));
                }
            } catch (NumberFormatException e) {
                // a malformed line grants nothing (newuidmap skips it too)
            }
        }
        return out;
    }

    /** The ranges granted to {@code user}/{@code uid} in {@code file}; none when the file is missing. */
    public static List<Range> of(Path file, String user, long uid) throws IOException {
        try {
            return parse(Files.readString(file), user, uid);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * Checks {@code maps} (of {@code field}) against the caller's own id {@code own} and its
     * granted {@code ranges} from {@code file}; IllegalArgumentException naming the field, the
     * mapping and what was granted.
     */
    public static void check(List<IdMapping> maps, long own, List<Range> ranges, String field, String file) {
        for (int i = 0; i < maps.size(); i++) {
            IdMapping m = maps.get(i);
            if (m.size() == 1 && m.hostID() == own) {
                continue;
            }
            boolean ok = false;
            for (Range r : ranges) {
                ok |= r.covers(m.hostID(), m.size());
            }
            if (!ok) {
                String asked = m.size() == 1 ? "host id " + m.hostID() : "host ids " + m.hostID() + "-" + (m.hostID() + m.size() - 1);
                throw new IllegalArgumentException(field + "[" + i + "]: running rootless, " + asked + " may not be mapped: "
                        + (field.contains("gid") ? "gid " : "uid ") + own + " may map only itself (one id) and the ranges " + file + " grants it ("
                        + (ranges.isEmpty() ? "none" : ranges.toString().replace("[", "").replace("]", "")) + ")");
            }
        }
    }

    /** Whether {@code maps} is the caller's own id alone, which it may write without newuidmap/newgidmap. */
    public static boolean ownOnly(List<IdMapping> maps, long own) {
        return maps.size() == 1 && maps.getFirst().size() == 1 && maps.getFirst().hostID() == own;
    }
}
