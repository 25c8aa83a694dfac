package dev.isthmus.spec;

import java.util.List;

/** {@code hooks}: lists per phase ({@code prestart} is deprecated but still run). */
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop) {
    public Hooks {
        prestart = Copies.list(prestart);
        createRuntime = Copies.list(createRuntime);
        createContainer = Copies.list(createContainer);
        startContainer = Copies.list(startContainer);
        poststart = Copies.list(poststart);
        poststop = Copies.list(poststop);
    }
}
