package org.schedctl.notify;

import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Email over SMTP (Jakarta Mail, Angus implementation). A {@link #sender()} keeps one connection for a batch of
 * messages (RSET between them, a fresh connection after a failure); what a message holds is {@link EmailContent}'s.
 */
final class EmailChannel implements Channel {
    private final NotifyConfig.Smtp smtp;
    private final Session session;

    EmailChannel(NotifyConfig.Smtp smtp, java.time.Duration timeout) {
        this.smtp = smtp;
        Properties props = new Properties();
        String millis = String.valueOf(timeout.toMillis());
        props.put("mail.smtp.host", smtp.host());
        props.put("mail.smtp.port", String.valueOf(smtp.port()));
        props.put("mail.smtp.connectiontimeout", millis);
        props.put("mail.smtp.timeout", millis);
        props.put("mail.smtp.writetimeout", millis);
        props.put("mail.smtp.auth", String.valueOf(smtp.username() != null));
        switch (smtp.tls()) {
            case starttls -> {
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.starttls.required", "true");
                props.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case tls -> {
                props.put("mail.smtp.ssl.enable", "true");
                props.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case none -> { }
        }
        // QUIT without waiting for the answer: a batch's connection closes at once.
        props.put("mail.smtp.quitwait", "false");
        this.session = Session.getInstance(props);
    }

    @Override
    public void send(OutboundMessage message) throws DeliveryException {
        try (Sender single = sender()) {
            single.send(message);
        }
    }

    /** One SMTP connection for a run of messages: opened on first use, RSET between messages, reopened after a failure. */
    @Override
    public Sender sender() {
        return new SmtpSender();
    }

    /** The message for one outbox row: {@link EmailContent}'s, kept apart from how it travels. */
    MimeMessage compose(OutboundMessage message) throws DeliveryException {
        return EmailContent.build(session, smtp.from(), message);
    }

    private DeliveryException failed(Exception e) {
        return new DeliveryException("SMTP delivery via " + smtp.host() + ":" + smtp.port() + " failed: "
                + MessageKeys.oneLine(String.valueOf(e.getMessage())), e);
    }

    private final class SmtpSender implements Sender {
        private SMTPTransport transport;
        /** Whether the open connection has carried a message, so the next one starts with RSET. */
        private boolean used;

        @Override
        public void send(OutboundMessage message) throws DeliveryException {
            MimeMessage mime;
            mime = compose(message);
            boolean reused = transport != null;
            try {
                deliver(mime);
            } catch (SendFailedException e) {
                // The server refused this message (e.g. a recipient); the connection is still good.
                throw failed(e);
            } catch (MessagingException e) {
                disconnect();
                if (!reused) {
                    throw failed(e);
                }
                // The server may have dropped an idle or broken connection: one more try on a fresh one.
                try {
                    deliver(mime);
                } catch (MessagingException again) {
                    disconnect();
                    throw failed(again);
                }
            }
        }

        private void deliver(MimeMessage mime) throws MessagingException {
            if (transport == null) {
                SMTPTransport fresh = (SMTPTransport) session.getTransport("smtp");
                if (smtp.username() != null) {
                    fresh.connect(smtp.host(), smtp.port(), smtp.username(), smtp.password() == null ? "" : smtp.password());
                } else {
                    fresh.connect();
                }
                transport = fresh;
                used = false;
            }
            if (used) {
                transport.issueCommand("RSET", 250);
            }
            used = true;
            transport.sendMessage(mime, mime.getAllRecipients());
        }

        private void disconnect() {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException ignored) {
                    // the connection is gone either way
                }
                transport = null;
            }
        }

        @Override
        public void close() {
            disconnect();
        }
    }
}
