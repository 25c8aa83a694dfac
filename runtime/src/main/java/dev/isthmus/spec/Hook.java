package dev.isthmus.spec;

import java.util.List;

/** One hook: absolute {@code path}, argv, environ and an optional timeout in seconds (> 0). */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    public Hook {
        args = Copies.list(args);
        env = Copies.list(env);
    }
}
