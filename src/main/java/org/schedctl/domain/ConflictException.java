package org.schedctl.domain;

/** The request clashes with the current state: slot taken, outside availability, illegal state change, duplicate (exit 3). */
public class ConflictException extends SchedException {
    public ConflictException(String message) {
        super(message);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
