package dev.isthmus.sys;

import dev.isthmus.ffm.Linux;
import java.util.HashMap;
import java.util.Map;

/** errno names and messages, for sentences like "mount proc on /proc: EPERM (Operation not permitted)". */
public enum Errno {
    EPERM(Linux.EPERM(), "Operation not permitted"),
    ENOENT(Linux.ENOENT(), "No such file or directory"),
    ESRCH(Linux.ESRCH(), "No such process"),
    EINTR(Linux.EINTR(), "Interrupted system call"),
    EIO(Linux.EIO(), "Input/output error"),
    ENXIO(Linux.ENXIO(), "No such device or address"),
    E2BIG(Linux.E2BIG(), "Argument list too long"),
    ENOEXEC(Linux.ENOEXEC(), "Exec format error"),
    EBADF(Linux.EBADF(), "Bad file descriptor"),
    ECHILD(Linux.ECHILD(), "No child processes"),
    EAGAIN(Linux.EAGAIN(), "Resource temporarily unavailable"),
    ENOMEM(Linux.ENOMEM(), "Cannot allocate memory"),
    EACCES(Linux.EACCES(), "Permission denied"),
    EFAULT(Linux.EFAULT(), "Bad address"),
    EBUSY(Linux.EBUSY(), "Device or resource busy"),
    EEXIST(Linux.EEXIST(), "File exists"),
    EXDEV(Linux.EXDEV(), "Invalid cross-device link"),
    ENODEV(Linux.ENODEV(), "No such device"),
    ENOTDIR(Linux.ENOTDIR(), "Not a directory"),
    EISDIR(Linux.EISDIR(), "Is a directory"),
    EINVAL(Linux.EINVAL(), "Invalid argument"),
    EMFILE(Linux.EMFILE(), "Too many open files"),
    ENOTTY(Linux.ENOTTY(), "Inappropriate ioctl for device"),
    ETXTBSY(Linux.ETXTBSY(), "Text file busy"),
    ENOSPC(Linux.ENOSPC(), "No space left on device"),
    EROFS(Linux.EROFS(), "Read-only file system"),
    EPIPE(Linux.EPIPE(), "Broken pipe"),
    ENAMETOOLONG(Linux.ENAMETOOLONG(), "File name too long"),
    ENOSYS(Linux.ENOSYS(), "Function not implemented"),
    ENOTEMPTY(Linux.ENOTEMPTY(), "Directory not empty"),
    ELOOP(Linux.ELOOP(), "Too many levels of symbolic links"),
    EOPNOTSUPP(Linux.EOPNOTSUPP(), "Operation not supported"),
    ECANCELED(Linux.ECANCELED(), "Operation canceled");

    private final int number;
    private final String message;

    private static final Map<Integer, Errno> BY_NUMBER = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_NUMBER.put(e.number, e);
        }
    }

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    public int number() {
        return number;
    }

    public String message() {
        return message;
    }

    /** "ENOENT", or "errno 123" for a number outside the table. */
    public static String name(int errno) {
        Errno e = BY_NUMBER.get(errno);
        return e != null ? e.name() : "errno " + errno;
    }

    /** "No such file or directory", or "errno 123". */
    public static String message(int errno) {
        Errno e = BY_NUMBER.get(errno);
        return e != null ? e.message : "errno " + errno;
    }

    /** "EPERM (Operation not permitted)". */
    public static String describe(int errno) {
        Errno e = BY_NUMBER.get(errno);
        return e != null ? e.name() + " (" + e.message + ")" : "errno " + errno;
    }

    /**
     * What went wrong in {@code e}, as the errno text a C tool would print: java.nio.file names
     * the file in the message and the errno only in the exception's class.
     */
    public static String reason(java.io.IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "No such file or directory";
            case java.nio.file.AccessDeniedException x -> "Permission denied";
            case java.nio.file.FileAlreadyExistsException x -> "File exists";
            case java.nio.file.NotDirectoryException x -> "Not a directory";
            case java.nio.file.DirectoryNotEmptyException x -> "Directory not empty";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    /** {@code e} as "FILE: reason" (or "FILE -> OTHER: reason"), for an error line. */
    public static String describe(java.io.IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + reason(e);
        }
        return reason(e);
    }
}
