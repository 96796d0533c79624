package org.schedctl.domain;

/** Bad usage or bad input: a malformed flag value, a bad CSV row, a non-existent local time (exit 2). */
public class InvalidInputException extends SchedException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
