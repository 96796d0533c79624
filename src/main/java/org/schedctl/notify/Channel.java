package org.schedctl.notify;

/** Delivers one message; returns normally only when the receiving side accepted it. */
public interface Channel {
    void send(OutboundMessage message) throws DeliveryException;
}
