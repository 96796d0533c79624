package org.schedctl.domain;

/** A named user, type, appointment or block does not exist, or is not visible to the acting user (exit 4). */
public class NotFoundException extends SchedException {
    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
