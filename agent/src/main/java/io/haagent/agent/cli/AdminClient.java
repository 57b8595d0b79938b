package io.haagent.agent.cli;

import io.haagent.config.HostPort;
import io.haagent.config.NodeConfig;
import io.haagent.config.load.LoadResult;
import io.haagent.lint.ConfigFile;
import io.haagent.lint.Linter;
import io.haagent.lint.finding.Finding;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Talks to a running daemon's admin server for {@code status}, {@code reload} and {@code ctl}. Where the
 * daemon listens and which token it wants come from its config file, so that an operator on the
 * host types no more than {@code haagent reload}.
 */
final class AdminClient {
    /**
     * The client cannot do its job; the message says why and what to do. {@code findings}: the
     * errors of a config file that does not parse, printed above the message.
     */
    static final class Unreachable extends Exception {
        private final transient List<Finding> findings;

        Unreachable(String message) {
            this(message, List.of());
        }

        Unreachable(String message, List<Finding> findings) {
            super(message);
            this.findings = List.copyOf(findings);
        }

        List<Finding> findings() {
            return findings;
        }
    }

    private final Path config;
    private final Optional<HostPort> adminFlag;
    /** node.admin of the config file; null when the file could not be read or parsed. */
    private final NodeConfig.Admin fromConfig;
    /** Why {@link #fromConfig} is null: "cannot read ...: no such file", or "FILE has 2 errors (above)". */
    private final String unusable;
    /** The errors of a config file that does not parse; empty otherwise. */
    private final List<Finding> configErrors;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private AdminClient(Path config, Optional<HostPort> adminFlag, NodeConfig.Admin fromConfig, String unusable,
                        List<Finding> configErrors) {
        this.config = config;
        this.adminFlag = adminFlag;
        this.fromConfig = fromConfig;
        this.unusable = unusable;
        this.configErrors = configErrors;
    }

    /**
     * {@code --admin} wins; else the config's {@code node.admin}. A config that cannot be read or does not
     * parse is said so when it is needed: never a silent fall back to the default address (issue 12).
     */
    static AdminClient of(Optional<String> adminFlag, Path config) throws Unreachable {
        Optional<HostPort> flag;
        try {
            flag = adminFlag.map(HostPort::parse);
        } catch (IllegalArgumentException e) {
            throw new Unreachable("--admin: " + e.getMessage());
        }
        try {
            Linter.Source source = ConfigFile.read(config);
            // Linter.load, as the daemon reads it: node.admin may stand in a file the config includes.
            LoadResult loaded = Linter.load(source);
            if (loaded.parsed()) {
                return new AdminClient(config, flag, loaded.bound().node().admin(), null, List.of());
            }
            List<Finding> errors = loaded.findings().stream().filter(Finding::isError).toList();
            return new AdminClient(config, flag, null, config + " has " + errors.size()
                    + (errors.size() == 1 ? " error" : " errors") + " (above)", errors);
        } catch (ConfigFile.Unreadable e) {
            return new AdminClient(config, flag, null, e.getMessage(), List.of());
        }
    }

    /** Where the daemon listens: {@code --admin}, else the config's {@code node.admin.listen}. */
    HostPort address() throws Unreachable {
        if (adminFlag.isPresent()) {
            return adminFlag.get();
        }
        if (fromConfig == null) {
            throw new Unreachable(unusable + (configErrors.isEmpty()
                    ? "; pass --config FILE, the file 'haagent run' was started with, or --admin HOST:PORT"
                    : ", so where the daemon listens is unknown; fix it, or pass --admin HOST:PORT"), configErrors);
        }
        return fromConfig.listen();
    }

    HttpResponse<String> get(String path) throws Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path) throws Unreachable {
        String token = token(); // first: a broken config is answered with its findings, not with its address
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A GET that needs the token, as a POST does: what may hold secrets (a child's log). */
    HttpResponse<String> getWithToken(String path) throws Unreachable {
        String token = token();
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).GET());
    }

    /** The token from the config's node.admin.token_file, or why there is none, in words that say what to do. */
    private String token() throws Unreachable {
        if (fromConfig == null && !configErrors.isEmpty()) {
            // The daemon would refuse this file too; its errors are the answer, not a missing token (issue 12).
            throw new Unreachable("not sent: " + unusable + "; the daemon would refuse it too: fix it, then run "
                    + "haagent reload again", configErrors);
        }
        if (fromConfig == null) {
            throw new Unreachable(unusable + ", which names the admin token (node.admin.token_file); "
                    + "pass --config FILE, the file 'haagent run' was started with");
        }
        Optional<Path> tokenFile = fromConfig.tokenFile();
        if (tokenFile.isEmpty()) {
            // Without a token the daemon refuses a reload too: only a restart makes it read the new setting.
            throw new Unreachable("no node.admin.token_file in the config " + config + ", and the daemon refuses POST without one; "
                    + "set it to a file holding a token, mode 0600 (the same file for the daemon and this command), and "
                    + "restart the agent (systemctl restart haagent); or pass --config FILE");
        }
        String token;
        try {
            token = Files.readString(tokenFile.get()).strip();
        } catch (IOException e) {
            throw new Unreachable("cannot read the admin token " + tokenFile.get() + ": " + e.getMessage()
                    + "; run as a user that can read it (often root)");
        }
        if (token.isEmpty()) {
            throw new Unreachable("the admin token file " + tokenFile.get() + " is empty; put a token in it (the daemon"
                    + " reads it on every request)");
        }
        return token;
    }

    private URI uri(String path) throws Unreachable {
        HostPort admin = address();
        return URI.create("http://" + admin.host() + ":" + admin.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Unreachable {
        HostPort admin = address();
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable("no daemon answers at " + admin + " (connection refused); is the agent running? "
                    + "(systemctl status haagent); if it listens elsewhere, pass --admin HOST:PORT");
        } catch (IOException e) {
            throw new Unreachable("talking to the daemon at " + admin + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }
}
