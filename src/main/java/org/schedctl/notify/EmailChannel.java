package org.schedctl.notify;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Email over SMTP (Jakarta Mail, Angus implementation). A {@link #sender()} keeps one connection for a batch of
 * messages (RSET between them, a fresh connection after a failure). Every header value passes through a one-line
 * filter or Jakarta Mail's own address encoding, so a name or subject holding CR/LF cannot add a header.
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

    /**
     * The message for one outbox row. Kept apart from the connection handling, so what a message holds can change
     * without touching how it travels.
     */
    MimeMessage compose(OutboundMessage message) throws DeliveryException, MessagingException, UnsupportedEncodingException {
        if (smtp.from() == null) {
            throw new DeliveryException("smtp.from is not set. Set SCHEDCTL_SMTP_FROM or smtp.from in the config file");
        }
        MimeMessage mime = new KeyedMimeMessage(session, MessageKeys.messageId(message.idempotencyKey()));
        mime.setFrom(strictAddress(smtp.from(), "smtp.from"));
        InternetAddress to = strictAddress(message.recipient(), "recipient");
        if (message.recipientName() != null) {
            to.setPersonal(MessageKeys.oneLine(message.recipientName()), StandardCharsets.UTF_8.name());
        }
        mime.setRecipient(Message.RecipientType.TO, to);
        mime.setSubject(MessageKeys.oneLine(message.subjectOrDefault()), StandardCharsets.UTF_8.name());
        mime.setHeader("X-Idempotency-Key", MessageKeys.headerValue(message.idempotencyKey()));
        mime.setHeader("X-Schedctl-Kind", message.kind());
        if (IcsInvitation.applies(message)) {
            MimeBodyPart text = new MimeBodyPart();
            text.setText(message.bodyOrEmpty(), StandardCharsets.UTF_8.name());
            MimeBodyPart invitation = new MimeBodyPart();
            invitation.setContent(IcsInvitation.render(message), "text/calendar; charset=UTF-8; method=REQUEST");
            invitation.setFileName("invite.ics");
            mime.setContent(new MimeMultipart("mixed", text, invitation));
        } else {
            mime.setText(message.bodyOrEmpty(), StandardCharsets.UTF_8.name());
        }
        mime.saveChanges();
        return mime;
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
            try {
                mime = compose(message);
            } catch (MessagingException | UnsupportedEncodingException e) {
                throw failed(e);
            }
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

    private static InternetAddress strictAddress(String text, String what) throws DeliveryException {
        if (text == null || !text.equals(MessageKeys.oneLine(text))) {
            throw new DeliveryException(what + " is not a usable email address (it is empty or holds control characters)");
        }
        try {
            InternetAddress address = new InternetAddress(text, true);
            address.validate();
            return address;
        } catch (AddressException e) {
            throw new DeliveryException(what + " '" + text + "' is not a valid email address");
        }
    }

    /** Keeps the Message-ID derived from the idempotency key instead of the random one Jakarta Mail would make. */
    private static final class KeyedMimeMessage extends MimeMessage {
        private final String messageId;

        KeyedMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
