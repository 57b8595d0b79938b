package io.haagent.failover.vrrp.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.lint.Linter;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real runners electing over the udp transport on loopback (127.0.0.1 and 127.0.0.2). */
class VrrpInstanceRunnerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Ipv4 A = Ipv4.parse("127.0.0.1");
    private static final Ipv4 B = Ipv4.parse("127.0.0.2");

    @TempDir
    Path dir;

    private final AdvertHub hub = AdvertHub.system();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        hub.close();
    }

    /** One node: its runner, what its listener heard, its state dir. */
    private record Node(VrrpInstanceRunner runner, BlockingQueue<VrrpEvent> events, Path stateDir, Path hookLog,
                        long startedNanos, Duration startupDelay, Path hook, String yaml) {
        VrrpEvent nextEvent() throws InterruptedException {
            VrrpEvent e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(e, "no transition within " + WAIT + "; status " + runner.status());
            return e;
        }

        Map<String, String> stateFile() throws IOException {
            return StateFile.read(stateDir.resolve("vip.state"));
        }

        List<String> hookLines() throws IOException {
            return Files.exists(hookLog) ? Files.readAllLines(hookLog) : List.of();
        }
    }

    private Node start(String label, Ipv4 source, int port, Ipv4 peer, int peerPort, int priority,
                       Duration startupDelay) throws IOException {
        return start(label, source, port, peer, peerPort, priority, startupDelay, "", InstantSource.system());
    }

    /** @param more flow-map entries added to the instance, e.g. {@code auth: {...}}; @param wallClock the node's clock */
    private Node start(String label, Ipv4 source, int port, Ipv4 peer, int peerPort, int priority,
                       Duration startupDelay, String more, InstantSource wallClock) throws IOException {
        Path home = Files.createDirectories(dir.resolve(label));
        Path hookLog = home.resolve("hook.log");
        Path hook = home.resolve("notify.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$3 $4 $HAAGENT_EVENT_ID\" >> " + hookLog + "\n"
                + "echo \"$HAAGENT_PREVIOUS_STATE -> $HAAGENT_STATE\" >> " + home.resolve("edges.log") + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        String yaml = """
                checks:
                  gate: { type: file_age, path: /tmp/haagent-test-gate, max_age: 5m }
                vrrp:
                  vip:
                    vrid: 51
                    priority: %d
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    unicast: { source: %s, port: %d, peers: ["%s:%d"] }
                    startup_delay: %s
                    track: [ { check: gate, weight: 0 } ]
                    notify: ["%s"]
                    notify_timeout: 5s
                """.formatted(priority, source, port, peer, peerPort, startupDelay.toMillis() + "ms", hook)
                + (more.isEmpty() ? "" : "    " + more + "\n");
        VrrpInstance vi = instance(yaml);
        BlockingQueue<VrrpEvent> events = new LinkedBlockingQueue<>();
        long started = System.nanoTime();
        VrrpInstanceRunner r = VrrpInstanceRunner.start("vip", vi, home.resolve("state"), hub, Ticker.SYSTEM,
                wallClock, new RunnerListener() {
                    @Override
                    public void transitioned(VrrpEvent e) {
                        events.add(e);
                    }
                }, java.util.Set.of());
        open.add(r);
        return new Node(r, events, home.resolve("state"), hookLog, started, startupDelay, hook, yaml);
    }

    private static VrrpInstance instance(String yaml) {
        Linter.Linted linted = Linter.lint(new Linter.Source("vip.yaml", yaml), Linter.Options.DEFAULT);
        assertFalse(linted.hasErrors(), linted.findings().toString());
        return linted.config().orElseThrow().vrrp().get("vip");
    }

    /** A pair where the 150 is sure to speak before the 100's startup delay is over. */
    private List<Node> pair() throws IOException {
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        Node a = start("a", A, portA, B, portB, 150, Duration.ZERO);
        // a cold JVM's first advert can take a few hundred ms to leave: give the 150 time to be heard
        Node b = start("b", B, portB, A, portA, 100, Duration.ofMillis(1500));
        return List.of(a, b);
    }

    /** {@link #pair()} once a is MASTER and b follows it with its startup delay over: a handover shows its skew time. */
    private List<Node> electedPair() throws IOException, InterruptedException {
        List<Node> nodes = pair();
        awaitTransition(nodes.get(0), VrrpState.MASTER);
        awaitFollowing(nodes.get(1), A);
        awaitStartupDelayOver(nodes.get(1));
        return nodes;
    }

    private static VrrpEvent awaitTransition(Node n, VrrpState to) throws InterruptedException {
        while (true) {
            VrrpEvent e = n.nextEvent();
            if (e.to() == to) {
                return e;
            }
        }
    }

    private static void awaitFollowing(Node n, Ipv4 master) throws InterruptedException {
        Eventually.within(WAIT, "following " + master, () -> n.runner().status().state() == VrrpState.BACKUP
                && n.runner().status().master().equals(Optional.of(master))
                && n.runner().status().peers().getFirst().lastHeardNanos().isPresent());
    }

    /** startup_delay holds even a priority-0 takeover back: wait it out so the handover shows the skew time. */
    private static void awaitStartupDelayOver(Node n) throws InterruptedException {
        Eventually.within(WAIT, "startup delay over",
                () -> System.nanoTime() - n.startedNanos() > n.startupDelay().toNanos());
    }

    @Test
    void pair_higherPriorityBecomesTheOnlyMaster_andItsStopHandsOverBySkewTime() throws Exception {
        List<Node> nodes = pair();
        Node a = nodes.get(0);
        Node b = nodes.get(1);

        assertEquals(VrrpState.BACKUP, a.nextEvent().to(), "every node starts as BACKUP");
        VrrpEvent mastered = a.nextEvent();
        assertEquals(VrrpState.MASTER, mastered.to());
        assertEquals(Optional.of(A), mastered.master());
        assertEquals(150, mastered.priority());
        awaitFollowing(b, A);

        InstanceStatus sa = a.runner().status();
        InstanceStatus sb = b.runner().status();
        assertEquals(VrrpState.MASTER, sa.state());
        assertEquals(VrrpState.BACKUP, sb.state());
        assertEquals(mastered.eventId(), sa.lastEventId());
        assertEquals(150, sa.priority());
        assertEquals(100, sb.configuredPriority());
        assertTrue(sa.advertsSent() > 0, sa.toString());
        InstanceStatus.PeerStatus heard = sb.peers().getFirst();
        assertEquals(A, heard.address());
        assertEquals(150, heard.lastPriority().orElseThrow());
        assertTrue(sb.advertsReceived() > 0, sb.toString());
        assertEquals(Map.of(), sb.drops());
        assertEquals(0, sa.sendErrors());

        assertEquals("MASTER", a.stateFile().get("state"));
        assertEquals("127.0.0.1", a.stateFile().get("master"));
        assertEquals(mastered.eventId(), a.stateFile().get("event_id"));
        assertEquals("BACKUP", b.stateFile().get("state"));
        assertEquals("127.0.0.1", b.stateFile().get("master"), "the backup's state file names the master it heard after entering BACKUP");
        assertEquals(1, sb.transitions(), "b never left BACKUP: " + b.events());

        awaitStartupDelayOver(b);
        long stopAt = System.nanoTime();
        a.runner().close();
        VrrpEvent took = awaitTransition(b, VrrpState.MASTER);
        long ms = (System.nanoTime() - stopAt) / 1_000_000;
        System.out.printf("b became MASTER %d ms after a stopped (without the priority-0 advert: 3 x 100 ms + skew): %s%n", ms,
                took.reason());
        assertTrue(took.reason().contains("sent priority 0"), took.reason());

        // Issue 12 changes this from INIT: the hooks said STOP, the log and the state file INIT; all say STOP now
        assertEquals("STOP", a.stateFile().get("state"));
        assertEquals(VrrpState.INIT, a.runner().status().state());
        // Issue 12: the first edge's previous state was STOP, a stop that never happened; the log says INIT
        assertEquals(List.of("INIT -> BACKUP", "BACKUP -> MASTER", "MASTER -> STOP"),
                Files.readAllLines(a.hookLog().resolveSibling("edges.log")));
        // close waited for a's hooks: every transition, in order, with its event id
        List<String> hooked = a.hookLines();
        assertEquals(List.of("BACKUP 150", "MASTER 150", "STOP 150"),
                hooked.stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList());
        assertEquals(mastered.eventId(), hooked.get(1).substring(hooked.get(1).lastIndexOf(' ') + 1));
        a.runner().close(); // idempotent
    }

    /**
     * Issue 13: a planned agent restart of the MASTER ({@link VrrpInstanceRunner#closeForPlannedRestart}) sends the
     * hand-over advert (10 s) instead of priority 0: the backup holds, the state file records the hand-over with no
     * STOP and no hook, and the next runner on the same state dir resumes MASTER at once.
     */
    @Test
    void plannedRestart_masterHandsOver_backupHolds_andTheNextRunnerResumesMaster() throws Exception {
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        Node a = start("a", A, portA, B, portB, 150, Duration.ZERO);
        Node b = start("b", B, portB, A, portA, 100, Duration.ofMillis(1500));
        awaitTransition(a, VrrpState.MASTER);
        awaitFollowing(b, A);
        awaitStartupDelayOver(b);

        a.runner().closeForPlannedRestart();

        Map<String, String> handedOver = a.stateFile();
        assertEquals("MASTER", handedOver.get("state"), "no STOP: the node stays MASTER in all but its agent");
        assertEquals("1000", handedOver.get("handover_advert_centis"));
        assertEquals("30.00s", handedOver.get("handover_hold"));
        assertTrue(handedOver.containsKey("handed_over_at"), handedOver.toString());
        Eventually.within(WAIT, "b to adopt the hand-over interval", () -> b.runner().status().peers().getFirst()
                .lastPriority().orElse(0) == 150 && b.runner().status().state() == VrrpState.BACKUP);
        // many of b's own master-down intervals (3 x 100 ms + skew): it holds
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(VrrpState.BACKUP, b.runner().status().state(), "b took over: " + b.events());
            Thread.sleep(50);
        }

        Node again = start("a", A, portA, B, portB, 150, Duration.ZERO);
        VrrpEvent resumed = again.nextEvent();
        assertEquals(VrrpState.INIT, resumed.from());
        assertEquals(VrrpState.MASTER, resumed.to());
        assertTrue(resumed.reason().startsWith("resumed after a planned agent restart "), resumed.reason());
        assertEquals(Optional.empty(), Optional.ofNullable(again.stateFile().get("handed_over_at")), "read once");
        awaitFollowing(b, A);
        assertEquals(1, b.runner().status().transitions(), "b never left BACKUP: " + b.events());
        Eventually.within(WAIT, "the resume's hook", () -> again.hookLines().size() == 3);
        assertEquals(List.of("BACKUP 150", "MASTER 150", "MASTER 150"),
                again.hookLines().stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList(), "no STOP hook");
    }

    /**
     * Regression (issue 10, 3.7c): an advert of another vrid from a configured peer was dropped by the shared
     * socket before any instance saw it, so neither status nor the metric counted it although the README says
     * {@code wrong_vrid} does.
     */
    @Test
    void advertOfAnotherVrid_fromThePeer_isCountedAsWrongVrid() throws Exception {
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        Node a = start("a", A, portA, B, portB, 150, Duration.ZERO);
        byte[] vrid99 = io.haagent.failover.vrrp.wire.VrrpCodec.encode(
                io.haagent.failover.vrrp.wire.VrrpPacket.v3(99, 100, List.of(Ipv4.parse("10.0.0.99")), 10), B, A);
        try (java.net.DatagramSocket peer = new java.net.DatagramSocket(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName(B.toString()), portB))) {
            peer.send(new java.net.DatagramPacket(vrid99, vrid99.length,
                    new java.net.InetSocketAddress(java.net.InetAddress.getByName(A.toString()), portA)));
            Eventually.within(WAIT, "the vrid 99 advert counted as wrong_vrid; status " + a.runner().status(),
                    () -> a.runner().status().drops().getOrDefault("wrong_vrid", 0L) == 1L);
        }
    }

    /**
     * Regression (issue 10, 3.5, split brain from a clock step): the higher priority ran with its clock 10 minutes
     * ahead and was restarted with the right one; the other node refused every advert of the new run as replayed
     * and both were MASTER until real time caught up. Now the restarted run is heard at once.
     */
    @Test
    void hmac_masterRestartedWithTheRightClock_afterRunningTenMinutesAhead_isFollowedAtOnce() throws Exception {
        String hmac = "auth: { type: hmac, secret: k3y-of-the-pair }";
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        Node a = start("a", A, portA, B, portB, 100, Duration.ZERO, hmac, InstantSource.system());
        InstantSource tenMinutesAhead = InstantSource.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(10));
        Node b = start("b", B, portB, A, portA, 150, Duration.ZERO, hmac, tenMinutesAhead);
        Eventually.within(WAIT, "b MASTER", () -> b.runner().status().state() == VrrpState.MASTER);
        // a few adverts of the run 10 minutes ahead reach a (whatever a makes of them)
        Eventually.within(WAIT, "three adverts of b's first run at a", () -> a.runner().status().advertsReceived()
                + a.runner().status().drops().values().stream().mapToLong(Long::longValue).sum() >= 3);
        b.runner().close();
        Node b2 = start("b2", B, portB, A, portA, 150, Duration.ZERO, hmac, InstantSource.system());
        Eventually.within(WAIT, "b's new run MASTER", () -> b2.runner().status().state() == VrrpState.MASTER);
        awaitFollowing(a, B);
        Thread.sleep(1500); // several Master_Down_Intervals (≈0.35 s): a silent-to-a b2 would have lost a by now
        InstanceStatus sa = a.runner().status();
        assertEquals(VrrpState.BACKUP, sa.state(), "a's status " + sa);
        assertEquals(Optional.of(B), sa.master(), "a's status " + sa);
        assertEquals(0L, sa.drops().getOrDefault("replayed", 0L), "a's status " + sa);
        assertTrue(sa.drops().getOrDefault("clock_ahead", 0L) > 0, "the run 10 minutes ahead was refused: " + sa);
    }

    @Test
    void trackedCheckWithWeightZero_downForcesFault_upElectsAgain() throws Exception {
        List<Node> nodes = electedPair();
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        b.events().clear();
        a.runner().trackedCheck("gate", false);
        VrrpEvent fault = awaitTransition(a, VrrpState.FAULT);
        assertTrue(fault.reason().startsWith("tracked check gate went down"), fault.reason());
        assertEquals("FAULT", a.stateFile().get("state"));
        VrrpEvent bTook = awaitTransition(b, VrrpState.MASTER);
        System.out.println("b took over: " + bTook.reason());
        a.runner().trackedCheck("gate", false); // a repeat changes nothing
        assertEquals(VrrpState.FAULT, a.runner().status().state());

        a.runner().trackedCheck("gate", true);
        assertEquals(VrrpState.BACKUP, awaitTransition(a, VrrpState.BACKUP).to());
        // preempt: a (150) hears b (100) as master, lets its timer run out and takes MASTER back
        awaitTransition(a, VrrpState.MASTER);
        awaitTransition(b, VrrpState.BACKUP);
        assertEquals("MASTER", a.stateFile().get("state"));
        assertEquals("BACKUP", b.stateFile().get("state"));
        assertEquals(150, a.runner().status().priority());
    }

    @Test
    void start_sourceNotOnThisHost_throwsAndLeavesNothingRunning() throws Exception {
        int port = FreePorts.tcp();
        IOException e = assertThrows(IOException.class,
                () -> start("x", Ipv4.parse("192.0.2.1"), port, B, port, 100, Duration.ZERO));
        assertTrue(e.getMessage().contains("192.0.2.1"), e.getMessage());
        assertTrue(open.isEmpty());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive()
                && (t.getName().equals("vrrp-vip") || t.getName().equals("vrrp-vip-notify"))), "no thread left behind");
    }

    @Test
    void reconfigure_priorityNotifyAndTrack_keepsTheElection_noTransitionNoHook_andTheNewPriorityIsHeardAtOnce() throws Exception {
        List<Node> nodes = electedPair();
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        Eventually.within(WAIT, "a's hooks for BACKUP and MASTER", () -> lines(a).size() == 2);
        long aTransitions = a.runner().status().transitions();
        long bTransitions = b.runner().status().transitions();
        b.events().clear();

        // priority up, no notify hook, the gate no longer tracked
        String edited = a.yaml().replace("priority: 150", "priority: 160").replace("notify: [\"" + a.hook() + "\"]", "notify: []")
                .replace("track: [ { check: gate, weight: 0 } ]", "track: []");
        a.runner().reconfigure(instance(edited), Set.of(), Set.of());

        assertEquals(160, a.runner().status().configuredPriority());
        Eventually.within(WAIT, "b hears 160",
                () -> b.runner().status().peers().getFirst().lastPriority().orElse(0) == 160);
        a.runner().trackedCheck("gate", false); // no longer tracked: nothing
        long heard = b.runner().status().advertsReceived();
        Eventually.within(WAIT, "more adverts", () -> b.runner().status().advertsReceived() > heard + 3);
        assertEquals(VrrpState.MASTER, a.runner().status().state());
        assertEquals(aTransitions, a.runner().status().transitions(), "a: no transition");
        assertEquals(bTransitions, b.runner().status().transitions(), "b: no transition");
        assertEquals(List.of(), List.copyOf(b.events()));
        assertEquals(2, lines(a).size(), "no hook ran");
        assertEquals("MASTER", a.stateFile().get("state"));

        // tracking the gate again while it is down: as if it had just gone down, one transition
        a.runner().reconfigure(instance(a.yaml()), Set.of("gate"), Set.of());
        VrrpEvent fault = awaitTransition(a, VrrpState.FAULT);
        assertTrue(fault.reason().startsWith("reconfigured in place by a reload (priority 160 -> 150, track, notify): tracked check"
                + " gate is down, sent priority 0"), fault.reason());
        awaitTransition(b, VrrpState.MASTER);
        Eventually.within(WAIT, "the FAULT hook, from the notify list in force again", () -> lines(a).size() == 3);
    }

    @Test
    void reconfigure_withAnotherIdentity_isRefused_andTheInstanceRunsOn() throws Exception {
        Node a = pair().get(0);
        awaitTransition(a, VrrpState.MASTER);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.runner().reconfigure(instance(a.yaml().replace("vrid: 51", "vrid: 52")), Set.of(), Set.of()));
        assertTrue(e.getMessage().contains("vrid 51 -> 52"), e.getMessage());
        assertEquals(VrrpState.MASTER, a.runner().status().state());
    }

    /**
     * Review finding: a reload that changes a tracked check restarts it from UNKNOWN; reconfiguring the instance in
     * the same reload took it for up, and a FAULT node left FAULT (and could promote) before the check's first result.
     */
    @Test
    void reconfigure_whileAChangedTrackedCheckIsUnknown_keepsItDown_andFault() throws Exception {
        Node a = pair().get(0);
        awaitTransition(a, VrrpState.MASTER);
        a.runner().trackedCheck("gate", false);
        awaitTransition(a, VrrpState.FAULT);

        a.runner().reconfigure(instance(a.yaml().replace("priority: 150", "priority: 160")), Set.of(), Set.of("gate"));

        assertEquals(VrrpState.FAULT, a.runner().status().state());
        a.runner().trackedCheck("gate", true);
        awaitTransition(a, VrrpState.BACKUP);
    }

    private static List<String> lines(Node n) {
        try {
            return n.hookLines();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
