package io.haagent.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away layer-2 network of 2 to 8 hosts, each a Linux network namespace, for tests that need
 * several machines (VRRP peers, keepalived interop). Root only.
 *
 * <p>Layout: a "switch" namespace {@code hat<pid>-<lab>-sw} holds a bridge {@code br0}; each host
 * namespace {@code hat<pid>-<lab>-<i>} is joined to it by a veth pair whose host end is {@code eth0}
 * with address {@code 10.x.y.(i+1)/24}. The veth pairs are created inside the switch namespace and
 * their host ends are moved at creation, so nothing ever appears in the root namespace and the
 * machine's own network is never touched.
 *
 * <pre>{@code
 * NetnsLab.unavailableReason().ifPresent(Assumptions::abort);
 * try (NetnsLab lab = NetnsLab.create(2)) {
 *     Process p = lab.host(0).command("my-daemon", "--bind", lab.host(0).address()).start();
 *     lab.linkDown(0); // host 0 is cut off
 * }
 * }</pre>
 *
 * <p>{@link #close()} SIGKILLs whatever still runs in the lab's namespaces and deletes them; a JVM
 * shutdown hook closes labs a test forgot, and {@link #create(int)} first removes the namespaces of
 * earlier test JVMs that died without closing theirs.
 */
public final class NetnsLab implements AutoCloseable {
    private static final String PREFIX = "hat";
    private static final Pattern OUR_NAMESPACE = Pattern.compile("^" + PREFIX + "(\\d+)-(\\d+)-(\\d+|sw)$");
    private static final LocalProgram IP = new LocalProgram("ip", "HAAGENT_IP",
            "install iproute2 (apt-get install iproute2)",
            ".ci/run should have installed it (APT_PACKAGES has ip:iproute2)");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Set<NetnsLab> LIVE = ConcurrentHashMap.newKeySet();
    private static final long COMMAND_TIMEOUT_SECONDS = 10;
    private static final int PREFIX_LENGTH = 24;
    private static final String BRIDGE = "br0";
    private static final String HOST_IFACE = "eth0";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(NetnsLab::close), "netns-lab-reaper"));
    }

    private static volatile Optional<String> unavailable;

    private final String switchNamespace;
    private final String subnetPrefix;
    private final List<Host> hosts;
    private boolean closed;

    private NetnsLab(String switchNamespace, String subnetPrefix, List<Host> hosts) {
        this.switchNamespace = switchNamespace;
        this.subnetPrefix = subnetPrefix;
        this.hosts = List.copyOf(hosts);
    }

    /**
     * Empty when this machine can build labs; else why not: not root, no {@code ip}, or
     * {@code ip netns add} fails (a container without CAP_SYS_ADMIN). Tests pass it to
     * {@code Assumptions}. Under CI ({@code CI=true}) a missing {@code ip} throws instead, since
     * {@code .ci/run} installs it; a lack of privileges still only skips.
     */
    public static Optional<String> unavailableReason() {
        if (ipBinary().isEmpty() && ci()) {
            throw new IllegalStateException("ip is not on the PATH; under CI=true this is an error: " + IP.ciHint());
        }
        Optional<String> known = unavailable;
        if (known == null) {
            known = probe();
            unavailable = known;
        }
        return known;
    }

    private static Optional<String> probe() {
        Optional<Path> ip = ipBinary();
        if (ip.isEmpty()) {
            return Optional.of("ip is not on the PATH (nor named by " + IP.envOverride() + "); " + IP.installHint());
        }
        try {
            String uid = run(List.of("id", "-u")).trim();
            if (!uid.equals("0")) {
                return Optional.of("network namespaces need root; running as uid " + uid);
            }
        } catch (IOException e) {
            return Optional.of("cannot tell whether this is root: " + e.getMessage());
        }
        String probe = PREFIX + PID + "-probe";
        try {
            run(List.of(ip.get().toString(), "netns", "add", probe));
        } catch (IOException e) {
            return Optional.of("ip netns add fails: " + e.getMessage());
        }
        try {
            run(List.of(ip.get().toString(), "netns", "del", probe));
        } catch (IOException e) {
            // the probe name is never reused by a lab; removeLeftovers() does not match it either
        }
        return Optional.empty();
    }

    /**
     * Creates {@code n} hosts (2..8) on one switch. Host i has {@code eth0} up with
     * {@code <subnetPrefix>(i+1)/24}, and {@code lo} up.
     *
     * @throws IllegalStateException when {@link #unavailableReason()} is present
     */
    public static NetnsLab create(int n) throws IOException {
        if (n < 2 || n > 8) {
            throw new IllegalArgumentException("a lab has 2 to 8 hosts, not " + n);
        }
        unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("cannot build a network namespace lab: " + why);
        });
        removeLeftovers();
        int lab = LABS.getAndIncrement();
        String base = PREFIX + PID + "-" + lab + "-";
        // Labs are isolated from each other and from the root namespace, so equal subnets would not
        // even clash; distinct ones keep captures and logs of parallel labs unambiguous.
        String subnetPrefix = "10." + (64 + PID % 128) + "." + (lab % 256) + ".";
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add(new Host(base + i, HOST_IFACE, subnetPrefix + (i + 1), PREFIX_LENGTH));
        }
        NetnsLab created = new NetnsLab(base + "sw", subnetPrefix, hosts);
        LIVE.add(created);
        try {
            created.build();
            return created;
        } catch (IOException | RuntimeException e) {
            created.close();
            throw e;
        }
    }

    private void build() throws IOException {
        ip("netns", "add", switchNamespace);
        ip("-n", switchNamespace, "link", "add", BRIDGE, "type", "bridge");
        ip("-n", switchNamespace, "link", "set", BRIDGE, "up");
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            ip("netns", "add", h.namespace());
            ip("-n", switchNamespace, "link", "add", switchPort(i), "type", "veth",
                    "peer", "name", h.iface(), "netns", h.namespace());
            ip("-n", switchNamespace, "link", "set", switchPort(i), "master", BRIDGE, "up");
            ip("-n", h.namespace(), "link", "set", "lo", "up");
            ip("-n", h.namespace(), "addr", "add", h.address() + "/" + h.prefixLength(), "dev", h.iface());
            ip("-n", h.namespace(), "link", "set", h.iface(), "up");
        }
    }

    private static String switchPort(int i) {
        return "p" + i;
    }

    /** The hosts, in index order. */
    public List<Host> hosts() {
        return hosts;
    }

    /** Host {@code i}, 0-based; its address ends in {@code .(i+1)}. */
    public Host host(int i) {
        return hosts.get(i);
    }

    /** The first three octets with the trailing dot, e.g. {@code "10.213.7."}: tests append a host part for VIPs. */
    public String subnetPrefix() {
        return subnetPrefix;
    }

    /** The namespace that holds the bridge. */
    public String switchNamespace() {
        return switchNamespace;
    }

    /**
     * Takes host {@code i}'s {@code eth0} down: the host is cut off from the others, and sees its
     * link down (a VRRP daemon there goes to FAULT), as with a pulled cable.
     */
    public void linkDown(int i) throws IOException {
        Host h = host(i);
        ip("-n", h.namespace(), "link", "set", h.iface(), "down");
    }

    /**
     * Cuts host {@code i} off the switch while its {@code eth0} stays up (no carrier loss, so a VRRP
     * daemon there does not go FAULT): a partition, as between two racks, in which both sides elect.
     */
    public void partition(int i) throws IOException {
        ip("-n", switchNamespace, "link", "set", switchPort(i), "nomaster");
    }

    /** Ends {@link #partition}: host {@code i} is on the switch again. */
    public void heal(int i) throws IOException {
        ip("-n", switchNamespace, "link", "set", switchPort(i), "master", BRIDGE);
    }

    /** Brings host {@code i}'s {@code eth0} back up; its address and subnet route come back with it. */
    public void linkUp(int i) throws IOException {
        Host h = host(i);
        ip("-n", h.namespace(), "link", "set", h.iface(), "up");
    }

    /**
     * SIGKILLs whatever still runs in the lab's namespaces (a namespace outlives its name while a
     * process is in it) and deletes them, and with them every veth and the bridge. Idempotent;
     * best effort: it never throws.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<String> names = new ArrayList<>();
        hosts.forEach(h -> names.add(h.namespace()));
        names.add(switchNamespace);
        existing().stream().filter(names::contains).forEach(NetnsLab::delete);
        LIVE.remove(this);
    }

    /**
     * Removes namespaces of this naming scheme whose creating JVM is gone (a test run that crashed
     * or was killed before its shutdown hook ran), killing what still runs in them.
     */
    static void removeLeftovers() {
        for (String ns : existing()) {
            Matcher m = OUR_NAMESPACE.matcher(ns);
            if (m.matches()) {
                long owner = Long.parseLong(m.group(1));
                if (owner != PID && !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    delete(ns);
                }
            }
        }
    }

    /** The names {@code ip netns list} shows. */
    static List<String> existing() {
        try {
            List<String> names = new ArrayList<>();
            for (String line : ip("netns", "list").split("\n")) {
                String name = line.strip().split("\\s+", 2)[0]; // "name (id: 3)"
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
            return names;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void delete(String ns) {
        try {
            for (String pid : ip("netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(NetnsLab::killAndWait);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // delete the name anyway: the processes keep the namespace alive, but it is out of sight
        }
        try {
            ip("netns", "del", ns);
        } catch (IOException e) {
            // best effort, see close()
        }
    }

    private static void killAndWait(ProcessHandle p) {
        p.destroyForcibly();
        try {
            p.onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort: the namespace name is removed regardless
        }
    }

    @Override
    public String toString() {
        return "NetnsLab " + switchNamespace + " " + subnetPrefix + "0/" + PREFIX_LENGTH + " " + hosts.size() + " hosts";
    }

    private static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** {@code ip} on the PATH, else in the sbin directories a non-login root shell may leave off it. */
    private static Optional<Path> ipBinary() {
        return IP.find().or(() -> Optional.of(Path.of("/usr/sbin/ip")).filter(Files::isExecutable))
                .or(() -> Optional.of(Path.of("/sbin/ip")).filter(Files::isExecutable));
    }

    static String ip(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(ipBinary().orElseThrow(() -> new IOException("no ip binary")).toString());
        argv.addAll(List.of(args));
        return run(argv);
    }

    /** Runs argv, waits (10 s at most), returns stdout; non-zero exit throws with stderr. */
    static String run(List<String> argv) throws IOException {
        return run(new ProcessBuilder(argv), String.join(" ", argv));
    }

    private static String run(ProcessBuilder pb, String what) throws IOException {
        // Files, not pipes: a chatty command cannot block on a full pipe while we wait for it.
        Path out = Files.createTempFile("haagent-netns-", ".out");
        Path err = Files.createTempFile("haagent-netns-", ".err");
        try {
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean exited;
            try {
                exited = p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while running " + what, e);
            }
            if (!exited) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(what + " exited with " + p.exitValue() + ": "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * One host: its namespace, its interface ({@code eth0}), its address and prefix length.
     *
     * @param address dotted quad without the prefix, e.g. {@code "10.213.7.2"}
     */
    public record Host(String namespace, String iface, String address, int prefixLength) {

        /** A ProcessBuilder for {@code ip netns exec <namespace> argv...}; the caller redirects and starts it. */
        public ProcessBuilder command(String... argv) {
            List<String> full = new ArrayList<>();
            full.add(ipBinary().orElseThrow(() -> new IllegalStateException("no ip binary")).toString());
            full.addAll(List.of("netns", "exec", namespace));
            full.addAll(List.of(argv));
            return new ProcessBuilder(full);
        }

        /**
         * Runs argv in this host's namespace and returns its stdout; waits 10 s at most. A non-zero
         * exit or the time limit throws, with stderr in the message.
         */
        public String exec(String... argv) throws IOException {
            return run(command(argv), "in " + namespace + ": " + String.join(" ", argv));
        }

        /** This host's MAC address on {@code eth0}. */
        public String mac() throws IOException {
            return exec("cat", "/sys/class/net/" + iface + "/address").strip();
        }

        /** The MAC this host's neighbour table has for {@code ip} on {@code eth0}, or "" when none. */
        public String neighbourMac(String ip) throws IOException {
            String line = exec("ip", "neigh", "show", ip, "dev", iface).strip();
            int at = line.indexOf("lladdr ");
            return at < 0 ? "" : line.substring(at + 7).split("\\s+")[0];
        }
    }
}
