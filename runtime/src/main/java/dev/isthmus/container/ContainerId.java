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

    /**
     * The ID of the container of {@code bundle} (--id-from-bundle): the bundle directory's name,
     * with what an ID may not hold replaced by '_' and cut to 64 characters, then '-' and the
     * first 12 hex digits of the SHA-256 of its absolute path (symlinks resolved when it exists).
     * The same bundle always gives the same ID; two bundles of the same name give two.
     */
    public static String fromBundle(java.nio.file.Path bundle) {
        java.nio.file.Path abs = bundle.toAbsolutePath().normalize();
        try {
            abs = abs.toRealPath();
        } catch (java.io.IOException e) {
            // not there (yet): its lexical absolute path
        }
        String name = abs.getFileName() == null ? "root" : abs.getFileName().toString().replaceAll("[^\\w+.-]", "_");
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(abs.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return name + "-" + java.util.HexFormat.of().formatHex(h, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
