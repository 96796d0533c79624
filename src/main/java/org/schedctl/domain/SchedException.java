package org.schedctl.domain;

/**
 * Base of every failure the product reports to its user. Each subclass stands for one exit code of CLI.md;
 * the mapping lives in {@code org.schedctl.Main}, so domain and service code never know about exit codes.
 * Messages follow the convention "WHAT. HOW TO FIX" and fit on one line.
 */
public abstract class SchedException extends RuntimeException {
    protected SchedException(String message) {
        super(message);
    }

    protected SchedException(String message, Throwable cause) {
        super(message, cause);
    }
}
