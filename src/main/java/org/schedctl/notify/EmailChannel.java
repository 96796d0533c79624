package org.schedctl.notify;

import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

/** Email over SMTP (Jakarta Mail, Angus implementation); what a message holds is {@link EmailContent}'s. */
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
        this.session = Session.getInstance(props);
    }

    @Override
    public void send(OutboundMessage message) throws DeliveryException {
        MimeMessage mime = EmailContent.build(session, smtp.from(), message);
        try {
            if (smtp.username() != null) {
                Transport.send(mime, smtp.username(), smtp.password() == null ? "" : smtp.password());
            } else {
                Transport.send(mime);
            }
        } catch (MessagingException e) {
            throw new DeliveryException("SMTP delivery via " + smtp.host() + ":" + smtp.port() + " failed: "
                    + MessageKeys.oneLine(String.valueOf(e.getMessage())), e);
        }
    }
}
