package io.haagent.agent.mail;

import io.haagent.config.MailConfig;
import io.haagent.config.Secret;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.Properties;

/**
 * Hands one mail to the configured SMTP server (Jakarta Mail, the Angus implementation). {@link #send}
 * returns only when the server accepted the message; anything else throws, and the caller keeps the mail.
 */
final class SmtpSender {
    private final MailConfig config;
    private final Session session;

    SmtpSender(MailConfig config, Duration timeout) {
        this.config = config;
        MailConfig.Smtp smtp = config.smtp();
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", smtp.host());
        p.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
        p.setProperty("mail.smtp.from", config.from()); // envelope sender (MAIL FROM), where bounces go
        String ms = Long.toString(timeout.toMillis());
        p.setProperty("mail.smtp.connectiontimeout", ms);
        p.setProperty("mail.smtp.timeout", ms);
        p.setProperty("mail.smtp.writetimeout", ms);
        if (smtp.starttls()) {
            // required: a server (or a man in the middle) that does not offer STARTTLS gets no mail, and
            // above all no password, in plain text.
            p.setProperty("mail.smtp.starttls.enable", "true");
            p.setProperty("mail.smtp.starttls.required", "true");
            p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        if (smtp.username().isPresent()) {
            p.setProperty("mail.smtp.auth", "true");
        }
        this.session = Session.getInstance(p);
    }

    void send(Mail mail) throws MessagingException, IOException {
        MimeMessage msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(config.from()));
        for (String to : config.to()) {
            msg.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        }
        msg.setSubject(mail.subject(), "UTF-8");
        msg.setSentDate(Date.from(mail.created()));
        msg.setText(mail.body(), "UTF-8");
        msg.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834 §5: no vacation replies to a robot
        if (!mail.eventIds().isEmpty()) {
            msg.setHeader("X-Haagent-Event-Ids", String.join(" ", mail.eventIds()));
        }
        msg.saveChanges();

        MailConfig.Smtp smtp = config.smtp();
        Transport t = session.getTransport("smtp");
        try {
            t.connect(smtp.host(), smtp.port(), smtp.username().orElse(null), password());
            t.sendMessage(msg, msg.getAllRecipients());
        } finally {
            try {
                t.close();
            } catch (MessagingException e) {
                // The message was accepted (or already failed); a failed QUIT must not cause a resend.
            }
        }
    }

    /** Read at each send, so a rotated password file takes effect without a reload. */
    private String password() throws IOException {
        Optional<Secret> password = config.smtp().password();
        if (password.isEmpty()) {
            return null;
        }
        try {
            return password.get().reveal();
        } catch (IOException e) {
            throw new IOException("cannot read the SMTP password_file " + e.getMessage(), e);
        }
    }
}
