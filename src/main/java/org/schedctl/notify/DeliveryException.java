package org.schedctl.notify;

/**
 * A delivery that did not happen. The message is stored as the row's last_error and shown by
 * {@code notifications list}, so it never carries a secret (no passwords, tokens or credentialed URLs).
 */
public final class DeliveryException extends Exception {
    public DeliveryException(String message) {
        super(message);
    }

    public DeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
