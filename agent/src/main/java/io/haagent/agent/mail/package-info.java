/**
 * Operator mail: what the agent tells people by SMTP when a VRRP instance changes state, a service is
 * restarted, escalated to a VM restart or given up on, a check goes down or comes back up, or a config
 * reload is refused.
 *
 * <p>The public surface is small: {@link io.haagent.agent.mail.Mails} builds a {@link io.haagent.agent.mail.Mail}
 * (the subject is made in one place, {@link io.haagent.agent.mail.Mail#subject()}; bodies through
 * {@link io.haagent.agent.mail.MailBody}, with the {@link io.haagent.agent.mail.ActionLine}s an action took), and
 * {@link io.haagent.agent.mail.Mailer} delivers it. Callers submit every mail; the {@code notify.mail.events}
 * filter is applied in one place, {@link io.haagent.agent.mail.Mailer#submit}.
 *
 * <p>Delivery is at least once: a mail is written to a spool under {@code state_dir/mail/} before any send
 * attempt and deleted only after the SMTP server accepted it, so an outage delays mail and an agent restart
 * resends what was pending. Machinery (the spool, burst grouping, the SMTP session) is package-private.
 */
package io.haagent.agent.mail;
