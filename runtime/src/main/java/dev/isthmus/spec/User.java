package dev.isthmus.spec;

import java.util.List;

/** {@code process.user}: ids in the container namespace (uint32 values held in a long). */
public record User(long uid, long gid, Integer umask, List<Long> additionalGids, String username) {
    public User {
        additionalGids = Copies.list(additionalGids);
    }
}
