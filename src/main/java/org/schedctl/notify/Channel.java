package org.schedctl.notify;

/** Delivers messages; {@link #send} returns normally only when the receiving side accepted the message. */
public interface Channel {
    void send(OutboundMessage message) throws DeliveryException;

    /**
     * A sender for a run of messages on this channel by one thread, closed after the run: email keeps one SMTP
     * connection open for the run; other channels send each message on its own.
     */
    default Sender sender() {
        return new Sender() {
            @Override
            public void send(OutboundMessage message) throws DeliveryException {
                Channel.this.send(message);
            }

            @Override
            public void close() {
            }
        };
    }

    /** One thread's run of messages on a channel. */
    interface Sender extends AutoCloseable {
        void send(OutboundMessage message) throws DeliveryException;

        @Override
        void close();
    }
}
