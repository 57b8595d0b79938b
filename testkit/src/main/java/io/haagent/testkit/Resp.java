package io.haagent.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough RESP for the Redis fixtures to talk to their servers without a client library: one command
 * per connection, the reply as text (a status or bulk string as is, an integer in decimal, an array's
 * elements one per line, a nil as {@code null}); an error reply throws {@link IllegalStateException}.
 */
final class Resp {
    private Resp() {}

    /** Connects, authenticates when {@code password} is set, sends {@code args}, returns the reply. */
    static String call(String host, int port, Optional<String> password, Duration timeout, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            if (password.isPresent()) {
                write(out, "AUTH", password.get());
                readReply(in);
            }
            write(out, args);
            return readReply(in);
        }
    }

    static void write(OutputStream out, String... args) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            buf.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            buf.writeBytes(bytes);
            buf.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(buf.toByteArray());
        out.flush();
    }

    static String readReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+', ':' -> {
                return line;
            }
            case '-' -> throw new IllegalStateException("redis replied -" + line);
            case '$' -> {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len);
                readLine(in);
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(String.valueOf(readReply(in)));
                }
                return String.join("\n", items);
            }
            default -> throw new IOException("not a RESP reply: '" + (char) type + line + "'");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

}
