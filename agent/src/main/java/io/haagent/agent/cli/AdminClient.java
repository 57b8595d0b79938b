package io.haagent.agent.cli;

import io.haagent.config.Defaults;
import io.haagent.config.HostPort;
import io.haagent.config.NodeConfig;
import io.haagent.config.load.ConfigLoader;
import io.haagent.lint.ConfigFile;
import io.haagent.lint.Linter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Talks to a running daemon's admin server for {@code status} and {@code reload}. Where the
 * daemon listens and which token it wants come from its config file, so that an operator on the
 * host types no more than {@code haagent reload}.
 */
final class AdminClient {
    /** The client cannot do its job; the message says why and what to do. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private final HostPort admin;
    private final Optional<Path> tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private AdminClient(HostPort admin, Optional<Path> tokenFile) {
        this.admin = admin;
        this.tokenFile = tokenFile;
    }

    /** {@code --admin} wins; else the config's {@code node.admin}; else the default address. */
    static AdminClient of(Optional<String> adminFlag, Path config) throws Unreachable {
        NodeConfig.Admin fromConfig = null;
        if (Files.isReadable(config)) {
            try {
                Linter.Source source = ConfigFile.read(config);
                fromConfig = ConfigLoader.load(source.name(), source.text()).bound().node().admin();
            } catch (ConfigFile.Unreadable e) {
                // Unreadable config: fall back to the defaults; the daemon's own lint reports the file.
            }
        }
        HostPort listen;
        try {
            listen = adminFlag.map(HostPort::parse).orElse(fromConfig == null ? Defaults.ADMIN_LISTEN : fromConfig.listen());
        } catch (IllegalArgumentException e) {
            throw new Unreachable("--admin: " + e.getMessage());
        }
        return new AdminClient(listen, fromConfig == null ? Optional.empty() : fromConfig.tokenFile());
    }

    HostPort address() {
        return admin;
    }

    HttpResponse<String> get(String path) throws Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path) throws Unreachable {
        if (tokenFile.isEmpty()) {
            throw new Unreachable("no node.admin.token_file in the config, and the daemon refuses POST without one; "
                    + "set it (the same file for the daemon and this command), or pass --config FILE");
        }
        String token;
        try {
            token = Files.readString(tokenFile.get()).strip();
        } catch (IOException e) {
            throw new Unreachable("cannot read the admin token " + tokenFile.get() + ": " + e.getMessage()
                    + "; run as a user that can read it (often root)");
        }
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private URI uri(String path) {
        return URI.create("http://" + admin.host() + ":" + admin.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Unreachable {
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable("no daemon answers at " + admin + " (connection refused); is 'haagent run' running? "
                    + "If it listens elsewhere, pass --admin HOST:PORT");
        } catch (IOException e) {
            throw new Unreachable("talking to the daemon at " + admin + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }
}
