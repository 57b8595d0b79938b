package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.vrrp.instance.Admission.Admitted;
import io.haagent.failover.vrrp.instance.Admission.Refused;
import io.haagent.failover.vrrp.net.Datagram;
import io.haagent.failover.vrrp.wire.AuthType;
import io.haagent.failover.vrrp.wire.ChecksumForm;
import io.haagent.failover.vrrp.wire.DecodeResult;
import io.haagent.failover.vrrp.wire.VrrpCodec;
import io.haagent.failover.vrrp.wire.VrrpPacket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One instance's adverts on the wire, both ways: {@link #encode} makes the bytes for a peer (codec plus auth),
 * {@link #admit} decides whether arrived bytes are an advert of this instance from a configured peer. Secrets
 * are read once, in {@link #of}. Not thread-safe (used on the instance's own thread): the HMAC counters and
 * the once-per-peer notices are state.
 */
public final class Adverts {

    private enum Auth { NONE, PASS, HMAC }

    /** Remarks given once per peer. */
    private enum Notice { ADDRESSES_DIFFER, MULTICAST_CHECKSUM }

    private final int vrid;
    private final int version;
    private final Ipv4 source;
    private final Set<Ipv4> peers;
    private final int minTtl;
    private final List<Ipv4> addresses;
    private final Set<Ipv4> addressSet;
    private final Auth auth;
    private final String password;
    private final HmacSeal seal;
    private final Map<Ipv4, EnumSet<Notice>> noticed = new HashMap<>();

    private Adverts(VrrpInstance vi, Auth auth, String password, HmacSeal seal) {
        this.vrid = vi.vrid();
        this.version = vi.version();
        this.source = vi.unicast().source();
        Set<Ipv4> p = new LinkedHashSet<>();
        vi.unicast().peers().forEach(peer -> p.add(peer.address()));
        this.peers = p;
        this.minTtl = vi.unicast().minTtl();
        this.addresses = List.copyOf(vi.addresses());
        this.addressSet = Set.copyOf(addresses);
        this.auth = auth;
        this.password = password;
        this.seal = seal;
    }

    /**
     * This gate for {@code vi} after a reload that kept the instance's identity: its peers, TTL and addresses
     * from {@code vi}; its secret and replay state kept when {@code vi}'s auth is {@code before}'s, so a reload
     * never reopens the replay window; else a new gate as {@link #of} makes it (reading the secret file now).
     */
    public Adverts reconfigured(String instanceName, VrrpInstance before, VrrpInstance vi) {
        if (!before.auth().equals(vi.auth())) {
            return of(instanceName, vi);
        }
        return new Adverts(vi, auth, password, seal);
    }

    /**
     * The advert gate of instance {@code instanceName} as configured by {@code vi}; reads its secret file now.
     *
     * @throws IllegalArgumentException if the config cannot work (pass auth on v3, hmac on the ip transport,
     *                                  an empty secret); the message says what to change
     * @throws UncheckedIOException     if the secret file cannot be read
     */
    public static Adverts of(String instanceName, VrrpInstance vi) {
        Objects.requireNonNull(instanceName, "instanceName");
        Objects.requireNonNull(vi, "vi");
        String prefix = "(" + instanceName + ") ";
        if (vi.version() != 2 && vi.version() != 3) {
            throw new IllegalArgumentException(prefix + "version " + vi.version() + " is not a VRRP version; use 2 or 3");
        }
        if (vi.vrid() < 1 || vi.vrid() > 255) {
            throw new IllegalArgumentException(prefix + "vrid " + vi.vrid() + " is outside 1..255");
        }
        return switch (vi.auth()) {
            case VrrpInstance.NoAuth n -> new Adverts(vi, Auth.NONE, null, null);
            case VrrpInstance.PassAuth p -> {
                if (vi.version() != 2) {
                    throw new IllegalArgumentException(prefix + "auth type pass is keepalived's v2 simple password "
                            + "and version 3 has no authentication; use version 2, or auth type none (or hmac on udp)");
                }
                byte[] b = secretBytes(prefix, "auth.password_file", p.password());
                yield new Adverts(vi, Auth.PASS, new String(b, StandardCharsets.UTF_8), null);
            }
            case VrrpInstance.HmacAuth h -> {
                if (vi.transport() != VrrpInstance.Transport.UDP) {
                    throw new IllegalArgumentException(prefix + "auth type hmac needs transport udp: the seal follows "
                            + "the VRRP message, which a keepalived peer on IP protocol 112 would refuse; "
                            + "use transport udp, or auth type pass with version 2");
                }
                byte[] key = secretBytes(prefix, "auth.secret_file", h.secret());
                try {
                    yield new Adverts(vi, Auth.HMAC, null, new HmacSeal(key));
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            }
        };
    }

    /**
     * The bytes to send to {@code peer} for an advert of {@code priority} at {@code advertCentis} (v2: seconds
     * = centis/100, at least 1), auth applied.
     *
     * @throws IllegalArgumentException if priority or interval do not fit the packet (config or caller bug)
     */
    public byte[] encode(int priority, int advertCentis, Ipv4 peer, long wallMicros) {
        return encode(priority, advertCentis, peer, wallMicros, false);
    }

    /** As above; {@code follower}: a leased BACKUP's follower advert to its master (v3 only, issue 14). */
    public byte[] encode(int priority, int advertCentis, Ipv4 peer, long wallMicros, boolean follower) {
        VrrpPacket p;
        if (follower) {
            p = VrrpPacket.v3Follower(vrid, priority, addresses, advertCentis);
        } else if (version == 2) {
            int seconds = Math.max(1, advertCentis / 100);
            p = auth == Auth.PASS ? VrrpPacket.v2Pass(vrid, priority, addresses, seconds, password)
                    : VrrpPacket.v2(vrid, priority, addresses, seconds);
        } else {
            p = VrrpPacket.v3(vrid, priority, addresses, advertCentis);
        }
        byte[] vrrp = VrrpCodec.encode(p, source, peer);
        return seal == null ? vrrp : seal.seal(vrrp, source, peer, wallMicros);
    }

    /**
     * Decides whether an arrived datagram is an advert of this instance from a configured peer. Never throws
     * for any content of the datagram. A refusal's detail says what was expected and what came; neither it nor
     * a notice carries the instance prefix, which the caller's log line adds.
     */
    public Admission admit(Datagram d, long wallMicros) {
        Ipv4 from = d.source();
        // keepalived leaves this off by default; we always check it, as it is the cheapest and most telling.
        if (!peers.contains(from)) {
            return new Refused(AdvertDrop.NOT_A_PEER, "from " + from + ", which is not among unicast.peers " + peers);
        }
        byte[] buf = d.payload();
        int length = buf.length;
        // Another instance's advert (the shared socket hands it to every instance on it) is refused before the seal
        // is opened: opening it would take that instance's epoch for a restart of this one's sender, and refuse
        // every later advert of this one as replayed. Both bytes are in the clear; the seal proves them later.
        if (seal != null && length >= 2 && (buf[1] & 0xff) != vrid) {
            return wrongVrid(buf[1] & 0xff);
        }
        if (seal != null && length >= 1 && (buf[0] & 0xff) >>> 4 != version) {
            return wrongVersion((buf[0] & 0xff) >>> 4);
        }
        if (seal != null) {
            // Verify before decoding: nothing from an unauthenticated sender reaches the parser.
            switch (seal.open(buf, from, d.destination(), wallMicros)) {
                case HmacSeal.Opened.Invalid i -> {
                    return new Refused(i.reason(), i.detail());
                }
                case HmacSeal.Opened.Valid v -> length = v.vrrpLength();
            }
        }
        DecodeResult.Ok ok;
        switch (VrrpCodec.decode(buf, 0, length, from, d.destination())) {
            case DecodeResult.Dropped dropped -> {
                return new Refused(AdvertDrop.of(dropped.reason()), dropped.detail());
            }
            case DecodeResult.Ok o -> ok = o;
        }
        VrrpPacket p = ok.packet();
        if (p.version() != version) {
            return wrongVersion(p.version());
        }
        if (p.vrid() != vrid) {
            return wrongVrid(p.vrid());
        }
        // RFC 5798 §7.1 asks for TTL 255; keepalived skips the check in unicast, so min_ttl lets operators relax it.
        if (d.ttl() != Datagram.TTL_UNKNOWN && d.ttl() < minTtl) {
            return new Refused(AdvertDrop.BAD_TTL, "TTL " + d.ttl() + ", expected at least " + minTtl
                    + ": the advert crossed a router; set unicast.min_ttl to accept it");
        }
        Optional<Refused> badAuth = checkAuth(p);
        if (badAuth.isPresent()) {
            return badAuth.get();
        }
        return new Admitted(p.toInput(from), notice(from, p, ok.form()));
    }

    private Refused wrongVrid(int got) {
        return new Refused(AdvertDrop.WRONG_VRID, "vrid " + got + ", expected " + vrid);
    }

    private Refused wrongVersion(int got) {
        return new Refused(AdvertDrop.WRONG_VERSION, "a v" + got + " advert, expected v" + version
                + ": both ends must have the same version");
    }

    private Optional<Refused> checkAuth(VrrpPacket p) {
        if (p.version() != 2) {
            return Optional.empty();
        }
        AuthType expected = auth == Auth.PASS ? AuthType.PASS : AuthType.NONE;
        if (p.authType() != expected) {
            // keepalived drops an advert whose auth type differs from its own; do the same for interop
            return Optional.of(new Refused(AdvertDrop.BAD_AUTH, "auth type " + describe(p.authType()) + ", expected "
                    + describe(expected) + (auth == Auth.HMAC ? " under the hmac seal" : "")
                    + ": both ends must have the same auth"));
        }
        if (auth == Auth.PASS && !p.hasPassword(password)) {
            return Optional.of(new Refused(AdvertDrop.BAD_AUTH, "the password differs from ours (compared as "
                    + "keepalived does: the first 8 bytes of auth.password_file)"));
        }
        return Optional.empty();
    }

    private static String describe(AuthType t) {
        return t.code() + " (" + t.name().toLowerCase(Locale.ROOT) + ")";
    }

    private Optional<String> notice(Ipv4 from, VrrpPacket p, ChecksumForm form) {
        List<String> remarks = new ArrayList<>(2);
        if (!(p.addresses().size() == addresses.size() && Set.copyOf(p.addresses()).equals(addressSet))
                && firstTime(from, Notice.ADDRESSES_DIFFER)) {
            remarks.add("advert from " + from + " lists addresses " + p.addresses() + ", ours " + addresses
                    + ": keepalived drops adverts whose address list differs from its own, so a keepalived peer "
                    + "would ignore ours; make the addresses of both ends agree");
        }
        if (form == ChecksumForm.V3_MULTICAST_GROUP && firstTime(from, Notice.MULTICAST_CHECKSUM)) {
            remarks.add(from + " computes its v3 checksum over the multicast group " + VrrpCodec.MULTICAST_GROUP
                    + " (older keepalived, or unicast_chksum_compat); accepted, but such a peer may refuse ours, "
                    + "which use the real destination as RFC 5798 asks");
        }
        return remarks.isEmpty() ? Optional.empty()
                : Optional.of(String.join("; ", remarks) + " (logged once per peer)");
    }

    private boolean firstTime(Ipv4 peer, Notice n) {
        return noticed.computeIfAbsent(peer, k -> EnumSet.noneOf(Notice.class)).add(n);
    }

    private static byte[] secretBytes(String prefix, String key, Secret s) {
        byte[] b = switch (s) {
            case Secret.Inline i -> i.value().getBytes(StandardCharsets.UTF_8);
            case Secret.FromFile f -> readSecretFile(prefix, key, f.path());
        };
        if (b.length == 0) {
            throw new IllegalArgumentException(prefix + key + (s instanceof Secret.FromFile f ? " " + f.path() : "")
                    + " is empty; put the shared secret in it (the same on both ends)");
        }
        return b;
    }

    private static byte[] readSecretFile(String prefix, String key, Path path) {
        byte[] b;
        try {
            b = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(prefix + "cannot read " + key + " " + path + ": no such file; create it "
                    + "with the shared secret (chmod 600, owned by the user haagent runs as) or fix the path", e);
        } catch (AccessDeniedException e) {
            throw new UncheckedIOException(prefix + "cannot read " + key + " " + path + ": permission denied; make it "
                    + "readable by the user haagent runs as (and by no one else: chmod 600)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(prefix + "cannot read " + key + " " + path + ": " + e.getMessage(), e);
        }
        // Editors end files with a newline that is not part of the secret; keepalived's config has none either.
        int end = b.length;
        if (end > 0 && b[end - 1] == '\n') {
            end--;
            if (end > 0 && b[end - 1] == '\r') {
                end--;
            }
        }
        return end == b.length ? b : Arrays.copyOf(b, end);
    }
}
