package dev.isthmus.spec;

import java.util.List;

/** config.md "hooks.*[]". */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    public Hook {
        args = List.copyOf(args);
        env = List.copyOf(env);
    }
}
