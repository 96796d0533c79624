package org.schedctl.notify;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * The MIME form of a rendered email, apart from how it is sent ({@link EmailChannel}). Plain text and HTML as
 * {@code multipart/alternative}; an invitation adds its iMIP part (RFC 6047) as the last alternative,
 * {@code text/calendar; method=M} with M the calendar's METHOD. Every header value passes through a one-line
 * filter or Jakarta Mail's own encoding, so a name or subject holding CR/LF cannot add a header.
 */
public final class EmailContent {
    private EmailContent() {
    }

    public static MimeMessage build(Session session, String from, OutboundMessage message) throws DeliveryException {
        if (from == null) {
            throw new DeliveryException("smtp.from is not set. Set SCHEDCTL_SMTP_FROM or smtp.from in the config file");
        }
        try {
            MimeMessage mime = new KeyedMimeMessage(session, MessageKeys.messageId(message.idempotencyKey()));
            mime.setFrom(strictAddress(from, "smtp.from"));
            InternetAddress to = strictAddress(message.recipient(), "recipient");
            if (message.recipientName() != null) {
                to.setPersonal(MessageKeys.oneLine(message.recipientName()), StandardCharsets.UTF_8.name());
            }
            mime.setRecipient(Message.RecipientType.TO, to);
            mime.setSubject(MessageKeys.oneLine(message.subjectOrDefault()), StandardCharsets.UTF_8.name());
            mime.setHeader("X-Idempotency-Key", MessageKeys.headerValue(message.idempotencyKey()));
            mime.setHeader("X-Schedctl-Kind", message.kind());
            if (message.html() == null && message.invitation() == null) {
                mime.setText(message.bodyOrEmpty(), StandardCharsets.UTF_8.name());
            } else {
                MimeMultipart alternative = new MimeMultipart("alternative");
                MimeBodyPart text = new MimeBodyPart();
                text.setText(message.bodyOrEmpty(), StandardCharsets.UTF_8.name());
                alternative.addBodyPart(text);
                if (message.html() != null) {
                    MimeBodyPart html = new MimeBodyPart();
                    html.setText(message.html(), StandardCharsets.UTF_8.name(), "html");
                    alternative.addBodyPart(html);
                }
                if (message.invitation() != null) {
                    MimeBodyPart calendar = new MimeBodyPart();
                    calendar.setContent(IcsInvitation.render(message.invitation()),
                            "text/calendar; charset=UTF-8; method=" + message.invitation().method());
                    alternative.addBodyPart(calendar);
                }
                mime.setContent(alternative);
            }
            mime.saveChanges();
            return mime;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new DeliveryException("email " + message.id() + " could not be built: "
                    + MessageKeys.oneLine(String.valueOf(e.getMessage())), e);
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
