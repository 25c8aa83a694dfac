package dev.isthmus.container;

import java.util.regex.Pattern;

/** Container IDs: what runc accepts (letters, digits, '_', '+', '-', '.'), never a path. */
public final class ContainerId {
    private ContainerId() {}

    private static final Pattern VALID = Pattern.compile("[\\w+.-]+");
    private static final int MAX = 1024;

    public static void check(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("container ID: must not be empty");
        }
        if (id.length() > MAX || !VALID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("container ID: may only contain letters, digits, '_', '+', '-' and '.' (and not be . or ..)");
        }
    }
}
