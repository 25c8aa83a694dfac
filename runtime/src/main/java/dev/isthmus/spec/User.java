package dev.isthmus.spec;

import java.util.List;

/** config.md "process.user" (POSIX). */
public record User(long uid, long gid, Integer umask, List<Long> additionalGids, String username) {
    public User {
        additionalGids = List.copyOf(additionalGids);
    }
}
