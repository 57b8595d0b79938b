package io.haagent.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-test EC2 endpoint on 127.0.0.1 that keeps state and answers the EC2 Query API in EC2's XML,
 * for the faults {@code moto_server} cannot show (it attaches and detaches at once). It serves the
 * actions the address movers use — {@code DescribeNetworkInterfaces}, {@code AttachNetworkInterface},
 * {@code DetachNetworkInterface}, {@code AssignPrivateIpAddresses} — and IMDSv2 on the same port
 * ({@code PUT /latest/api/token}, then {@code GET /latest/meta-data/instance-id} or
 * {@code GET /latest/dynamic/instance-identity/document} with the token).
 *
 * <pre>{@code
 * try (Ec2Endpoint ec2 = Ec2Endpoint.start()) {
 *     String a = ec2.addInstance(), b = ec2.addInstance();
 *     String eni = ec2.addEni("10.0.1.50");
 *     ec2.attach(eni, a, 1);
 *     ec2.imdsInstanceId(b);               // IMDS says: this host is b
 *     ec2.stuckDetaching(eni);             // a normal detach never completes; Force=true does
 *     ec2.failAttach(2, "IncorrectState"); // the next two attaches fail
 *     // point the SDK at ec2.endpoint() (EC2) and ec2.endpoint() (IMDS), run, then:
 *     ec2.actions();                       // [DescribeNetworkInterfaces, DetachNetworkInterface, ...]
 * }
 * }</pre>
 *
 * <p>Like EC2, state changes are not instant: after an attach the ENI reads {@code attaching} for
 * {@link #transitionReads(int)} describes (default 1) before {@code attached}; after a detach it
 * reads {@code detaching} that long before {@code available}. Errors are EC2's
 * {@code <Response><Errors><Error><Code>} documents with HTTP 400 (client) or 500/503 (server).
 * Signatures and credentials are not checked.
 */
public final class Ec2Endpoint implements AutoCloseable {
    /** The EC2 API version the AWS SDK v2 sends, and the namespace of every answer. */
    public static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    static final String IMDS_TOKEN = "imds-token-" + UUID.randomUUID();
    private static final String OWNER = "123456789012";
    private static final String ZONE = "us-east-1a";

    /** One API call as received: the action and its parameters (form fields other than Action/Version). */
    public record Call(String action, Map<String, String> params) {
        public String param(String name) {
            return params.get(name);
        }

        @Override
        public String toString() {
            return action + " " + params;
        }
    }

    /** What a test reads back about one ENI. */
    public record EniView(String id, String status, Optional<String> instanceId, int deviceIndex,
                          Optional<String> attachmentStatus, List<String> privateIps, String macAddress) {}

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong(0x1000);
    private final Map<String, Eni> enis = new LinkedHashMap<>();
    private final List<String> instances = new ArrayList<>();
    private final List<String> imdsRequests = new CopyOnWriteArrayList<>();
    private String imdsInstanceId;
    private String imdsInstanceType = "t3.micro";
    private int transitionReads = 1;
    private int attachFailures;
    private String attachFailureCode = "IncorrectState";
    private int attachFailureStatus = 400;

    private static final class Eni {
        final String id;
        final String mac;
        final List<String> ips = new ArrayList<>();
        String instanceId; // null: not attached
        String attachmentId;
        int deviceIndex;
        String attachmentStatus; // attaching | attached | detaching
        int readsLeft; // describes until the transition completes
        boolean stuckDetaching;

        Eni(String id, String mac, String primaryIp) {
            this.id = id;
            this.mac = mac;
            ips.add(primaryIp);
        }
    }

    private Ec2Endpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts an endpoint on a free 127.0.0.1 port. */
    public static Ec2Endpoint start() {
        try {
            HttpServer server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
            Ec2Endpoint endpoint = new Ec2Endpoint(server);
            server.createContext("/", endpoint::handle);
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the EC2 test endpoint on 127.0.0.1", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: both the EC2 endpoint override and the IMDS endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    // ---- scene -------------------------------------------------------------------------------

    /** A new running instance; its id, like {@code i-0000000000000101a}. */
    public synchronized String addInstance() {
        String id = "i-" + hex17();
        instances.add(id);
        return id;
    }

    /** A new available ENI with {@code primaryIp}; its id. */
    public synchronized String addEni(String primaryIp) {
        long n = ids.incrementAndGet();
        String id = "eni-" + hex17();
        String mac = String.format("02:00:00:%02x:%02x:%02x", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
        enis.put(id, new Eni(id, mac, primaryIp));
        return id;
    }

    /** Attaches an ENI at once (status {@code attached}): the scene before a test. */
    public synchronized void attach(String eniId, String instanceId, int deviceIndex) {
        Eni e = eni(eniId);
        e.instanceId = instanceId;
        e.deviceIndex = deviceIndex;
        e.attachmentId = "eni-attach-" + hex17();
        e.attachmentStatus = "attached";
        e.readsLeft = 0;
    }

    /** Adds a secondary private IP to an ENI: the scene before a test. */
    public synchronized void assignIp(String eniId, String ip) {
        eni(eniId).ips.add(ip);
    }

    /** The instance id IMDS answers with. */
    public synchronized void imdsInstanceId(String id) {
        this.imdsInstanceId = id;
    }

    /** The instance type the identity document names (default {@code t3.micro}). */
    public synchronized void imdsInstanceType(String type) {
        this.imdsInstanceType = type;
    }

    /** How many describes an attach or detach stays in {@code attaching}/{@code detaching}; 0: instant. */
    public synchronized void transitionReads(int n) {
        this.transitionReads = n;
    }

    /** A normal detach of this ENI never completes (it reads {@code detaching} for ever); Force=true does. */
    public synchronized void stuckDetaching(String eniId) {
        eni(eniId).stuckDetaching = true;
    }

    /** The next {@code n} AttachNetworkInterface calls fail with {@code code} and HTTP 400. */
    public void failAttach(int n, String code) {
        failAttach(n, code, 400);
    }

    /** The next {@code n} AttachNetworkInterface calls fail with {@code code} and {@code httpStatus}. */
    public synchronized void failAttach(int n, String code, int httpStatus) {
        this.attachFailures = n;
        this.attachFailureCode = code;
        this.attachFailureStatus = httpStatus;
    }

    // ---- observation -------------------------------------------------------------------------

    /** Every API call so far, in order (IMDS requests are in {@link #imdsRequests()}). */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The action names of {@link #calls()}, in order. */
    public List<String> actions() {
        return calls.stream().map(Call::action).toList();
    }

    /** The calls of one action, in order. */
    public List<Call> calls(String action) {
        return calls.stream().filter(c -> c.action().equals(action)).toList();
    }

    /** IMDS requests as {@code "PUT /latest/api/token ttl=21600"} or {@code "GET /path token=ok|missing|bad"}. */
    public List<String> imdsRequests() {
        return List.copyOf(imdsRequests);
    }

    /** Forgets the call log (not the state). */
    public void clearCalls() {
        calls.clear();
        imdsRequests.clear();
    }

    /** An ENI as a describe would show it now, without counting as a read. */
    public synchronized EniView eniView(String eniId) {
        Eni e = eni(eniId);
        return new EniView(e.id, e.instanceId == null ? "available" : "in-use", Optional.ofNullable(e.instanceId),
                e.deviceIndex, Optional.ofNullable(e.attachmentStatus), List.copyOf(e.ips), e.mac);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public String toString() {
        return "Ec2Endpoint " + endpoint();
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Answer answer;
            if (path.startsWith("/latest/")) {
                answer = imds(exchange, path);
            } else {
                Map<String, String> form = parseForm(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                if (exchange.getRequestURI().getRawQuery() != null) {
                    form.putAll(parseForm(exchange.getRequestURI().getRawQuery()));
                }
                answer = api(form);
                exchange.getResponseHeaders().add("Content-Type", "text/xml;charset=UTF-8");
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private record Answer(int status, String body) {}

    private Answer imds(HttpExchange exchange, String path) {
        String method = exchange.getRequestMethod();
        if (method.equals("PUT") && path.equals("/latest/api/token")) {
            String ttl = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
            imdsRequests.add("PUT " + path + " ttl=" + ttl);
            if (ttl == null) {
                return new Answer(400, "");
            }
            exchange.getResponseHeaders().add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
            return new Answer(200, IMDS_TOKEN);
        }
        String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
        imdsRequests.add(method + " " + path + " token=" + (token == null ? "missing" : IMDS_TOKEN.equals(token)
                ? "ok" : "bad"));
        if (!method.equals("GET")) {
            return new Answer(405, "");
        }
        if (!IMDS_TOKEN.equals(token)) {
            return new Answer(401, ""); // IMDSv2 only, as instances with HttpTokens=required
        }
        String id;
        String type;
        synchronized (this) {
            id = imdsInstanceId;
            type = imdsInstanceType;
        }
        if (path.equals("/latest/meta-data/instance-id") && id != null) {
            return new Answer(200, id);
        }
        if (path.equals("/latest/dynamic/instance-identity/document") && id != null) {
            // the keys EC2 sends, in its order (a few left out); the zone is the one the ENIs are in
            return new Answer(200, "{\n  \"accountId\" : \"" + OWNER + "\",\n  \"architecture\" : \"x86_64\",\n"
                    + "  \"availabilityZone\" : \"" + ZONE + "\",\n  \"imageId\" : \"ami-0123456789abcdef0\",\n"
                    + "  \"instanceId\" : \"" + id + "\",\n  \"instanceType\" : \"" + type + "\",\n"
                    + "  \"privateIp\" : \"10.0.1.10\",\n  \"region\" : \"" + ZONE.substring(0, ZONE.length() - 1)
                    + "\",\n  \"version\" : \"2017-09-30\"\n}");
        }
        return new Answer(404, "");
    }

    private Answer api(Map<String, String> form) {
        String action = form.getOrDefault("Action", "");
        Map<String, String> params = new LinkedHashMap<>(form);
        params.remove("Action");
        params.remove("Version");
        calls.add(new Call(action, Map.copyOf(params)));
        synchronized (this) {
            try {
                return switch (action) {
                    case "DescribeNetworkInterfaces" -> describe(params);
                    case "AttachNetworkInterface" -> attach(params);
                    case "DetachNetworkInterface" -> detach(params);
                    case "AssignPrivateIpAddresses" -> assign(params);
                    default -> error(400, "InvalidAction", "The action " + action + " is not valid for this web"
                            + " service.");
                };
            } catch (Fault f) {
                return error(f.status, f.code, f.getMessage());
            }
        }
    }

    private static final class Fault extends Exception {
        final int status;
        final String code;

        Fault(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private Answer describe(Map<String, String> p) throws Fault {
        List<Eni> selected = new ArrayList<>();
        List<String> wanted = indexed(p, "NetworkInterfaceId");
        if (wanted.isEmpty()) {
            selected.addAll(enis.values());
        }
        for (String id : wanted) {
            selected.add(found(id));
        }
        StringBuilder items = new StringBuilder();
        for (Eni e : selected) {
            advance(e);
            items.append(item(e));
        }
        return ok("DescribeNetworkInterfacesResponse", "<networkInterfaceSet>" + items + "</networkInterfaceSet>");
    }

    /** One describe's worth of progress of a transition under way. */
    private void advance(Eni e) {
        if (e.attachmentStatus == null || e.attachmentStatus.equals("attached")) {
            return;
        }
        if (e.attachmentStatus.equals("detaching") && e.stuckDetaching) {
            return;
        }
        if (e.readsLeft > 0) {
            e.readsLeft--;
            return;
        }
        if (e.attachmentStatus.equals("attaching")) {
            e.attachmentStatus = "attached";
        } else { // detaching done
            e.instanceId = null;
            e.attachmentId = null;
            e.attachmentStatus = null;
            e.deviceIndex = 0;
        }
    }

    private String item(Eni e) {
        StringBuilder b = new StringBuilder("<item>")
                .append(el("networkInterfaceId", e.id))
                .append(el("subnetId", "subnet-0123456789abcdef0"))
                .append(el("vpcId", "vpc-0123456789abcdef0"))
                .append(el("availabilityZone", ZONE))
                .append("<description/>")
                .append(el("ownerId", OWNER))
                .append(el("requesterManaged", "false"))
                .append(el("status", e.instanceId == null ? "available" : "in-use"))
                .append(el("macAddress", e.mac))
                .append(el("privateIpAddress", e.ips.getFirst()))
                .append(el("sourceDestCheck", "true"))
                .append("<groupSet/>");
        if (e.instanceId != null) {
            b.append("<attachment>")
                    .append(el("attachmentId", e.attachmentId))
                    .append(el("instanceId", e.instanceId))
                    .append(el("instanceOwnerId", OWNER))
                    .append(el("deviceIndex", Integer.toString(e.deviceIndex)))
                    .append(el("networkCardIndex", "0"))
                    .append(el("status", e.attachmentStatus))
                    .append(el("attachTime", Instant.now().toString()))
                    .append(el("deleteOnTermination", "false"))
                    .append("</attachment>");
        }
        b.append("<privateIpAddressesSet>");
        for (int i = 0; i < e.ips.size(); i++) {
            b.append("<item>").append(el("privateIpAddress", e.ips.get(i)))
                    .append(el("primary", Boolean.toString(i == 0))).append("</item>");
        }
        b.append("</privateIpAddressesSet>").append(el("interfaceType", "interface")).append("</item>");
        return b.toString();
    }

    private Answer attach(Map<String, String> p) throws Fault {
        Eni e = found(required(p, "NetworkInterfaceId"));
        String instanceId = required(p, "InstanceId");
        int deviceIndex = Integer.parseInt(required(p, "DeviceIndex"));
        if (!instances.contains(instanceId)) {
            throw new Fault(400, "InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
        }
        if (attachFailures > 0) {
            attachFailures--;
            throw new Fault(attachFailureStatus, attachFailureCode, attachFailureStatus >= 500
                    ? "An internal error has occurred" : "Scripted failure of AttachNetworkInterface");
        }
        if (e.instanceId != null) {
            throw new Fault(400, "InvalidNetworkInterface.InUse", "Interface: [" + e.id + "] in use.");
        }
        for (Eni other : enis.values()) {
            if (instanceId.equals(other.instanceId) && other.deviceIndex == deviceIndex) {
                throw new Fault(400, "InvalidParameterValue", "Instance '" + instanceId + "' already has an"
                        + " interface attached at device index '" + deviceIndex + "'.");
            }
        }
        e.instanceId = instanceId;
        e.deviceIndex = deviceIndex;
        e.attachmentId = "eni-attach-" + hex17();
        e.attachmentStatus = transitionReads == 0 ? "attached" : "attaching";
        e.readsLeft = transitionReads;
        return ok("AttachNetworkInterfaceResponse", el("attachmentId", e.attachmentId) + el("networkCardIndex", "0"));
    }

    private Answer detach(Map<String, String> p) throws Fault {
        String attachmentId = required(p, "AttachmentId");
        boolean force = "true".equalsIgnoreCase(p.get("Force"));
        Eni e = enis.values().stream().filter(x -> attachmentId.equals(x.attachmentId)).findFirst()
                .orElseThrow(() -> new Fault(400, "InvalidAttachmentID.NotFound", "The attachment ID '"
                        + attachmentId + "' does not exist"));
        if (force) {
            e.instanceId = null;
            e.attachmentId = null;
            e.attachmentStatus = null;
            e.deviceIndex = 0;
            e.stuckDetaching = false;
        } else if (!"detaching".equals(e.attachmentStatus)) {
            e.attachmentStatus = "detaching";
            e.readsLeft = transitionReads;
            if (transitionReads == 0 && !e.stuckDetaching) {
                advance(e);
            }
        }
        return ok("DetachNetworkInterfaceResponse", el("return", "true"));
    }

    private Answer assign(Map<String, String> p) throws Fault {
        Eni e = found(required(p, "NetworkInterfaceId"));
        boolean reassign = "true".equalsIgnoreCase(p.get("AllowReassignment"));
        List<String> ips = indexed(p, "PrivateIpAddress");
        if (ips.isEmpty()) {
            throw new Fault(400, "MissingParameter", "The request must contain the parameter PrivateIpAddress");
        }
        for (String ip : ips) {
            for (Eni other : enis.values()) {
                if (other != e && other.ips.contains(ip)) {
                    if (other.ips.getFirst().equals(ip)) {
                        throw new Fault(400, "InvalidParameterValue", "Address " + ip + " is the primary address of "
                                + other.id + " and cannot be reassigned");
                    }
                    if (!reassign) {
                        throw new Fault(400, "PrivateIpAddressLimitExceeded", "Address " + ip + " is in use by "
                                + other.id + "; set AllowReassignment to move it");
                    }
                }
            }
        }
        StringBuilder set = new StringBuilder();
        for (String ip : ips) {
            enis.values().stream().filter(o -> o != e).forEach(o -> o.ips.remove(ip));
            if (!e.ips.contains(ip)) {
                e.ips.add(ip);
            }
            set.append("<item>").append(el("privateIpAddress", ip)).append("</item>");
        }
        return ok("AssignPrivateIpAddressesResponse", el("networkInterfaceId", e.id)
                + "<assignedPrivateIpAddressesSet>" + set + "</assignedPrivateIpAddressesSet>"
                + el("return", "true"));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Eni eni(String id) {
        Eni e = enis.get(id);
        if (e == null) {
            throw new IllegalArgumentException("no ENI " + id + " in " + this + "; add it with addEni first");
        }
        return e;
    }

    private Eni found(String id) throws Fault {
        Eni e = enis.get(id);
        if (e == null) {
            throw new Fault(400, "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '" + id
                    + "' does not exist");
        }
        return e;
    }

    private static String required(Map<String, String> p, String name) throws Fault {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            throw new Fault(400, "MissingParameter", "The request must contain the parameter " + name);
        }
        return v;
    }

    /** {@code Name.1}, {@code Name.2}, ... in order: the Query API's list encoding. */
    private static List<String> indexed(Map<String, String> p, String name) {
        List<String> out = new ArrayList<>();
        for (int i = 1; p.containsKey(name + "." + i); i++) {
            out.add(p.get(name + "." + i));
        }
        return out;
    }

    private String hex17() {
        return String.format("%017x", ids.incrementAndGet());
    }

    private static Answer ok(String root, String inner) {
        return new Answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + " xmlns=\"" + NAMESPACE + "\">"
                + el("requestId", UUID.randomUUID().toString()) + inner + "</" + root + ">");
    }

    /** EC2's error document: note {@code RequestID}, spelled unlike the success answers' {@code requestId}. */
    private static Answer error(int status, String code, String message) {
        return new Answer(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                + el("Code", code) + el("Message", message) + "</Error></Errors>"
                + el("RequestID", UUID.randomUUID().toString()) + "</Response>");
    }

    private static String el(String name, String text) {
        return "<" + name + ">" + escape(text) + "</" + name + ">";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return out;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }
}
