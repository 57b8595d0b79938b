package io.haagent.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The demo's mail server: just enough SMTP (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on
 * 127.0.0.1 to accept what the agents send, so the demo shows the mails without a real server. It
 * stores nothing and relays nothing; no TLS, no auth.
 */
final class SmtpSink implements AutoCloseable {

    /** One accepted message: its envelope and its raw text (headers + body), read back with Jakarta Mail. */
    record Received(String from, String to, String text) {
        /** The Subject header, unfolded and decoded (a digest's "×" comes as an RFC 2047 encoded word). */
        String subject() {
            try {
                String s = message().getSubject();
                return s == null ? "(no subject)" : s;
            } catch (jakarta.mail.MessagingException e) {
                return "(unreadable subject: " + e.getMessage() + ")";
            }
        }

        /** The plain-text body, decoded from its transfer encoding. */
        String body() {
            try {
                return String.valueOf(message().getContent());
            } catch (jakarta.mail.MessagingException | IOException e) {
                return "(unreadable body: " + e.getMessage() + ")";
            }
        }

        private jakarta.mail.internet.MimeMessage message() throws jakarta.mail.MessagingException {
            return new jakarta.mail.internet.MimeMessage(null,
                    new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private final ServerSocket server;
    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    private SmtpSink(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("demo-smtp").start(this::acceptLoop);
    }

    /** Listens on 127.0.0.1 at a free port. */
    static SmtpSink start() throws IOException {
        return new SmtpSink(new ServerSocket(0, 16, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    /** Accepted messages, in arrival order; the demo takes them as they come. */
    BlockingQueue<Received> inbox() {
        return inbox;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().name("demo-smtp-session").start(() -> session(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void session(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = socket.getOutputStream()) {
            reply(out, "220 haagent-demo ESMTP");
            String from = "";
            StringBuilder to = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 haagent-demo");
                    case "MAIL" -> {
                        from = line.substring(line.indexOf(':') + 1).strip();
                        to.setLength(0);
                        reply(out, "250 OK");
                    }
                    case "RCPT" -> {
                        to.append(to.isEmpty() ? "" : ", ").append(line.substring(line.indexOf(':') + 1).strip());
                        reply(out, "250 OK");
                    }
                    case "DATA" -> {
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        StringBuilder text = new StringBuilder();
                        String d;
                        while ((d = in.readLine()) != null && !d.equals(".")) {
                            text.append(d.startsWith("..") ? d.substring(1) : d).append('\n'); // RFC 5321 §4.5.2
                        }
                        inbox.add(new Received(from, to.toString(), text.toString()));
                        reply(out, "250 OK queued");
                    }
                    case "RSET", "NOOP" -> reply(out, "250 OK");
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "502 command not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to keep
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        acceptor.interrupt();
    }
}
