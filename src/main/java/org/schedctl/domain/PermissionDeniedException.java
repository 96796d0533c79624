package org.schedctl.domain;

/** The acting user may not do this (exit 6). */
public class PermissionDeniedException extends SchedException {
    public PermissionDeniedException(String message) {
        super(message);
    }

    public PermissionDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
