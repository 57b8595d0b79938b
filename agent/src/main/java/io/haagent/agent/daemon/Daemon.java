package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.load.HaView;
import io.haagent.agent.mail.Mails;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.agent.systemd.Liveness;
import io.haagent.agent.systemd.Notifier;
import io.haagent.agent.systemd.StatusLine;
import io.haagent.checker.CheckState;
import io.haagent.config.HaagentConfig;
import io.haagent.config.NodeConfig;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.lint.ConfigFile;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.Linter;
import io.haagent.linux.SdNotify;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The haagent daemon: lints its config before it starts and before every reload (keeping the
 * running config when the new one has errors), applies it to its components, and serves the
 * admin API. Config changes and admin actions run one at a time on the daemon's own thread.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /**
     * The config could not be used; {@code findings} say why (none when the file could not be read at all).
     * {@link #linted()}: the file was read and has lint errors, as against a file or directory it could not use.
     */
    public static final class Refused extends Exception {
        private final List<Finding> findings;
        private final boolean linted;

        Refused(String message, List<Finding> findings, boolean linted) {
            super(message);
            this.findings = List.copyOf(findings);
            this.linted = linted;
        }

        public List<Finding> findings() {
            return findings;
        }

        public boolean linted() {
            return linted;
        }
    }

    private final Path configFile;
    private final String version;
    private final Instant started = Instant.now();
    private final AgentMetrics metrics;
    private final Healing healing;
    private final Mailing mailing;
    private final Failover failover;
    private final Checks checks;
    private final LoadPush loadPush;
    private final List<Component> components;
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("haagent-daemon").unstarted(r));
    private volatile HaagentConfig config;
    /** The node settings bound at start (state_dir, admin.listen, name): a reload cannot change them. */
    private final NodeConfig inUse;
    private volatile Optional<String> token;
    private final AdminServer admin;
    /** Completes when an operator asked for a planned restart ({@code POST /agent/restart}). */
    private final CompletableFuture<String> plannedRestart = new CompletableFuture<>();
    private final Notifier systemd;
    /** The first config is applied to every component: before that, no component can say it has started. */
    private volatile boolean applied;

    private Daemon(Path configFile, String version, HaagentConfig config, AgentMetrics metrics) {
        this.configFile = configFile;
        this.version = version;
        this.config = config;
        this.inUse = config.node();
        this.metrics = metrics;
        this.token = readToken(config);
        this.mailing = new Mailing(nodeName(config), metrics::mailSendFailed);
        metrics.mail(mailing::pending);
        Failover[] failover = new Failover[1]; // the checks and healing feed it, and it reads and marks checks: built in turn
        this.healing = new Healing(metrics, Ticker.SYSTEM, e -> Mails.heal(mailing.host(), e).ifPresent(mailing::send),
                exit -> failover[0].processExited(exit.service(), exit.describe()),
                service -> failover[0].serviceStarted(service));
        this.checks = new Checks(metrics, Ticker.SYSTEM, healing::observe, (c, s) -> failover[0].checkChanged(c, s),
                s -> failover[0].checkObserved(s), mailing.host(), mailing::send, healing::onlyOfStoppedServices);
        failover[0] = new Failover(metrics, Ticker.SYSTEM, checks::states, AdvertHub.system(), mailing.host(),
                mailing::send, healing::failoverHold, checks::knownDown);
        this.failover = failover[0];
        this.loadPush = new LoadPush(nodeName(config), metrics, this::loadView, failover[0]::zookeeper, Ticker.SYSTEM);
        // Healing first: it must be listening before the first check flips reach it; closed last, after
        // VRRP has handed over (priority 0) while the services it fronts still run.
        // Mail first and closed last: whatever the others report on their way up or down is spooled.
        // The load push last: it samples what the others do, uses the failover's ZooKeeper session, and stops first.
        this.components = List.of(mailing, healing, checks, failover[0], loadPush);
        // Before the admin server, whose reload requests tell it; READY waits for the first apply below.
        this.systemd = Notifier.start(sdNotify(), Ticker.SYSTEM, new Watched());
        // Bind the admin address before starting any child: a daemon that cannot serve must not
        // leave supervised processes behind when it exits.
        try {
            this.admin = AdminServer.start(config.node().admin().listen(), () -> token, metrics, this::status, new Actions());
        } catch (RuntimeException e) {
            systemd.close(); // it never said READY; the unit fails with what run prints
            throw e;
        }
        for (Component c : this.components) {
            c.apply(config, null);
        }
        // a drain an earlier agent recorded (state_dir/drained) pauses healing as node drain did
        this.failover.drainedFor().ifPresent(reason -> healing.pause(Optional.empty(), "drained: " + reason, Optional.empty()));
        applied = true;
    }

    private static SdNotify sdNotify() {
        try {
            return SdNotify.fromEnvironment();
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.error("systemd: cannot notify: {}; a Type=notify unit will time out waiting for READY", e.getMessage());
            return SdNotify.of(Map.of(), ProcessHandle.current().pid());
        }
    }

    /**
     * Lints {@code configFile} (with the host checks) and starts.
     *
     * @throws Refused when the config has errors or cannot be read; nothing was started
     */
    public static Daemon start(Path configFile, String version, AgentMetrics metrics) throws Refused {
        HaagentConfig config = lint(configFile);
        try {
            Files.createDirectories(config.node().stateDir());
        } catch (IOException e) {
            throw new Refused("cannot create node.state_dir " + config.node().stateDir() + ": " + e
                    + "; create it, or run haagent as a user that may", List.of(), false);
        }
        Daemon d = new Daemon(configFile, version, config, metrics);
        log.info("{} started as {} with {}: {}, {}, {}", version, nodeName(config), configFile,
                count(config.checks().size(), "check"), count(config.services().size(), "service"),
                count(config.vrrp().size(), "VRRP instance"));
        return d;
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static HaagentConfig lint(Path configFile) throws Refused {
        Linter.Source source;
        try {
            // The reader lint uses: the same size limit and the same words for a file it cannot use (issue 10 §3.6, §3.7a).
            source = ConfigFile.read(configFile);
        } catch (ConfigFile.Unreadable e) {
            throw new Refused(e.getMessage(), e.findings(), false);
        }
        Linter.Linted linted = Linter.lint(source, Linter.Options.onThisHost(AgentHostFacts::system));
        linted.findings().stream().filter(f -> !f.isError()).forEach(f -> log.warn("config: {}", f));
        if (linted.config().isEmpty()) {
            List<Finding> errors = linted.findings().stream().filter(Finding::isError).toList();
            throw new Refused(configFile + " has " + errors.size() + (errors.size() == 1 ? " error" : " errors"), errors, true);
        }
        return linted.config().get();
    }

    /** The node's name: {@code node.name}, else this host's name. */
    public static String nodeName(HaagentConfig config) {
        return config.node().name().orElseGet(Daemon::hostName);
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "localhost";
            }
        }
    }

    private static Optional<String> readToken(HaagentConfig config) {
        return config.node().admin().tokenFile().flatMap(f -> {
            try {
                String t = Files.readString(f).strip();
                return t.isEmpty() ? Optional.empty() : Optional.of(t);
            } catch (IOException e) {
                log.warn("admin: cannot read token file {}: {}; POST is refused until a reload can read it", f, e.getMessage());
                return Optional.empty();
            }
        });
    }

    public HaagentConfig config() {
        return config;
    }

    public int adminPort() {
        return admin.address().getPort();
    }

    /** Re-reads and lints the config file; applies it only when it has no errors. Safe from any thread. */
    public AdminServer.Reply reload() {
        return onLoop(this::reloadNow);
    }

    private AdminServer.Reply reloadNow() {
        systemd.reloading();
        try {
            return reloadAndSay();
        } finally {
            systemd.reloaded(); // applied or refused, the daemon runs on
        }
    }

    private AdminServer.Reply reloadAndSay() {
        HaagentConfig next;
        try {
            next = lint(configFile);
        } catch (Refused e) {
            return refuseReload(422, e.getMessage(), e.findings());
        } catch (RuntimeException e) {
            // A bug in lint, not in the file: still a refused reload, counted and mailed like the others.
            return refuseReload(500, "linting " + configFile + " failed: " + e, List.of());
        }
        ReloadPlan plan = ReloadPlan.between(inUse, config, next);
        for (Component c : components) {
            try {
                c.apply(next, plan);
            } catch (RuntimeException e) {
                metrics.reload(false, 0);
                String why = "applying " + configFile + " to " + c.getClass().getSimpleName().toLowerCase(Locale.ROOT)
                        + " failed: " + e + "; the parts before it have the new config; fix the cause and reload again";
                log.error("reload: {}", why);
                mailing.send(Mails.reloadRefused(mailing.host(), why, List.of()));
                return AdminServer.Reply.refused(500, why);
            }
        }
        config = next;
        token = readToken(next);
        metrics.reload(true, 0);
        log.info("reload: applied {}: {}", configFile, plan.describe());
        return AdminServer.Reply.ok("applied: " + plan.describe());
    }

    /** Every refused reload is logged, counted and mailed the same way, whatever refused it. */
    private AdminServer.Reply refuseReload(int status, String why, List<Finding> findings) {
        metrics.reload(false, findings.size());
        log.error("reload: kept the running config because {}", why);
        findings.forEach(f -> log.error("reload: {}", f));
        List<String> lines = findings.stream().map(Finding::toString).toList();
        mailing.send(Mails.reloadRefused(mailing.host(), "kept the running config: " + why, lines));
        return new AdminServer.Reply(status, Map.of("ok", false, "message", "kept the running config: " + why,
                "findings", lines));
    }

    /** Runs {@code action} on the daemon's thread and waits for its reply. */
    AdminServer.Reply onLoop(java.util.function.Supplier<AdminServer.Reply> action) {
        Future<AdminServer.Reply> f = loop.submit(action::get);
        try {
            return f.get();
        } catch (ExecutionException e) {
            log.error("daemon: action failed", e.getCause());
            return AdminServer.Reply.refused(500, "failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminServer.Reply.refused(503, "interrupted");
        }
    }

    /**
     * Completes (with the operator's reason) once a planned restart was asked for: the caller then closes the
     * daemon, which leaves the services' children running, and exits with the restart status.
     */
    public CompletableFuture<String> plannedRestart() {
        return plannedRestart;
    }

    /** The /status document. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", nodeName(config));
        s.put("version", version);
        s.put("daemon_pid", ProcessHandle.current().pid()); // what kill -HUP names; not "pid", which each service has
        s.put("since", started.toString());
        s.put("config", configFile.toString());
        for (Component c : components) {
            c.status(s);
        }
        return s;
    }

    @Override
    public void close() {
        systemd.stopping();
        admin.close();
        loop.shutdown();
        try {
            loop.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Component c : components.reversed()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("daemon: closing {} failed", c, e);
            }
        }
        systemd.close();
        log.info("haagent stopped");
    }

    /**
     * The HA part of a load sample: {@code starting} until every component has started (systemd's READY),
     * {@code draining} while the node is drained, else {@code in_service}; each VRRP instance and each service.
     */
    private HaView loadView() {
        HaView.Lifecycle lifecycle = !(applied && components.stream().allMatch(Component::started))
                ? HaView.Lifecycle.STARTING
                : failover.drained() ? HaView.Lifecycle.DRAINING : HaView.Lifecycle.IN_SERVICE;
        return new HaView(lifecycle, failover.loadView(), healing.loadView());
    }

    /** What systemd's notifier reads: all of it quick and from any thread. */
    private final class Watched implements Notifier.Watched {
        @Override
        public boolean started() {
            return applied && components.stream().allMatch(Component::started);
        }

        @Override
        public String statusLine() {
            int up = 0;
            int down = 0;
            int unknown = 0;
            for (CheckState s : checks.states().values()) {
                switch (s) {
                    case UP -> up++;
                    case DOWN -> down++;
                    default -> unknown++;
                }
            }
            return StatusLine.of(up, down, unknown, failover.states());
        }

        @Override
        public List<Liveness.Loop> loops() {
            List<Liveness.Loop> loops = new ArrayList<>();
            components.forEach(c -> c.loops(loops));
            return loops;
        }
    }

    /** The admin API's actions: service and node requests go to the healing loop, reloads to the daemon thread. */
    private final class Actions implements AdminServer.Actions {
        public AdminServer.Reply restartService(String service, String reason) {
            return healing.restart(service, reason);
        }

        public AdminServer.Reply pauseService(String service, String reason, Optional<Duration> expiry) {
            return healing.pause(Optional.of(service), reason, expiry);
        }

        public AdminServer.Reply resumeService(String service, String reason) {
            return healing.resume(Optional.of(service), reason);
        }

        public AdminServer.Reply stopService(String service, String reason) {
            return healing.stop(service, reason);
        }

        public AdminServer.Reply startService(String service, String reason) {
            return healing.start(service, reason);
        }

        public AdminServer.Reply serviceLog(String service, boolean stderr, int lines, OptionalLong from) {
            return healing.log(service, stderr, lines, from);
        }

        public AdminServer.Reply pauseNode(String reason, Optional<Duration> expiry) {
            return healing.pause(Optional.empty(), reason, expiry);
        }

        public AdminServer.Reply resumeNode(String reason) {
            failover.resume("node resumed by operator (reason " + reason + ")");
            return healing.resume(Optional.empty(), reason);
        }

        public AdminServer.Reply switchover(String instance, String reason, Optional<Duration> catchUpTimeout) {
            return failover.switchover(instance, reason, catchUpTimeout);
        }

        /** Healing pauses first (so nothing restarts the Redis mid hand-over), then every instance drains. */
        public AdminServer.Reply drainNode(String reason) {
            AdminServer.Reply paused = healing.pause(Optional.empty(), "drained: " + reason, Optional.empty());
            AdminServer.Reply vrrp = failover.drain(reason);
            Map<String, Object> body = new LinkedHashMap<>(vrrp.body());
            body.put("healing", paused.body());
            return new AdminServer.Reply(paused.status() != 200 ? paused.status() : vrrp.status(), body);
        }

        public AdminServer.Reply undrainNode(String reason) {
            if (!failover.drained()) {
                return AdminServer.Reply.refused(409, "the node is not drained; POST /node/drain drains it");
            }
            return resumeNode(reason);
        }

        public Optional<String> loadDocument() {
            return loadPush.lastDocument().map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
        }

        public AdminServer.Reply reload() {
            return Daemon.this.reload();
        }

        public AdminServer.Reply forcePromotion(String instance, String reason) {
            return failover.forcePromotion(instance, reason);
        }

        /** On the daemon's thread, so that a reload never half-applies under it. */
        public AdminServer.Reply restartAgent(String reason) {
            return onLoop(() -> {
                healing.leaveChildrenRunning();
                failover.handOverOnClose();
                log.info("agent restart asked by operator (reason {}): stopping this haagent and leaving the services'"
                        + " children running for the next one to adopt, and each VRRP MASTER in place for it to resume",
                        reason);
                // Only once the answer is written: closing the admin server first would cut it off ("no bytes").
                return AdminServer.Reply.ok("restarting: the services' children stay running and the next haagent"
                        + " adopts them").afterAnswer(() -> plannedRestart.complete(reason));
            });
        }
    }
}
