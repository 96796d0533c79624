package org.schedctl.domain;

/** The database cannot be reached, or its schema is behind this build (exit 5). */
public class UnavailableException extends SchedException {
    public UnavailableException(String message) {
        super(message);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
