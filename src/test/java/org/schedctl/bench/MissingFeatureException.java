package org.schedctl.bench;

/**
 * A scenario cannot run because the feature it measures is not on this branch yet. The bench reports it as a
 * failure with this message, never with a made-up figure.
 */
public final class MissingFeatureException extends RuntimeException {
    public MissingFeatureException(String message) {
        super(message);
    }
}
