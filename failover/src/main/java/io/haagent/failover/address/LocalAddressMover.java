package io.haagent.failover.address;

import io.haagent.config.VrrpInstance;
import java.io.IOException;

/**
 * {@code local}: {@code ip addr add <cidr> dev <iface>} and a gratuitous ARP so the neighbours send to
 * this host at once rather than when their ARP entry for the address expires; release is
 * {@code ip addr del} (and no more announcements). Both are idempotent: an address already there is not
 * an error to add, one already gone is not an error to remove; a repeated acquire announces again, which
 * does no harm and heals a neighbour that missed the first.
 */
final class LocalAddressMover implements AddressMover {
    private final VrrpInstance.LocalAddress spec;
    private final Edges edges;
    private final InterfaceAddresses addresses;

    LocalAddressMover(VrrpInstance.LocalAddress spec, Edges edges) {
        this.spec = spec;
        this.edges = edges;
        this.addresses = new InterfaceAddresses(edges.ip());
    }

    @Override
    public String describe() {
        return "local " + spec.ip() + " on " + spec.iface();
    }

    @Override
    public MoveResult acquire() throws AddressMoveException {
        MoveRecorder steps = new MoveRecorder(edges.ticker());
        long t = steps.now();
        boolean added;
        try {
            added = addresses.add(spec.ip(), spec.iface());
            steps.add(added ? "ip addr add " + spec.ip() + " dev " + spec.iface() : "already on " + spec.iface(), t);
            t = steps.now();
            steps.add(edges.announcer().announce(spec.ip().address(), spec.iface()), t);
        } catch (IOException e) {
            throw steps.failure(prefix() + steps.doneSoFar() + e.getMessage()
                    + (steps.isEmpty() ? "" : "; neighbours keep sending to the old holder until their ARP entries"
                    + " expire") + "; the next acquire tries again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw steps.failure(prefix() + steps.doneSoFar() + "interrupted (the agent is stopping); the next"
                    + " acquire tries again", e);
        }
        return steps.result(prefix() + (added ? "added" : "was already there") + " and announced by gratuitous ARP",
                added);
    }

    @Override
    public MoveResult release() throws AddressMoveException {
        MoveRecorder steps = new MoveRecorder(edges.ticker());
        edges.announcer().cancel(spec.ip().address()); // announcing an address we let go would steal it back
        long t = steps.now();
        try {
            boolean removed = addresses.delete(spec.ip(), spec.iface());
            steps.add(removed ? "ip addr del " + spec.ip() + " dev " + spec.iface() : "not on " + spec.iface(), t);
            return steps.result(prefix() + (removed ? "removed" : "was not there; nothing to do"), removed);
        } catch (IOException e) {
            throw steps.failure(prefix() + e.getMessage() + "; while it stays, this host answers ARP for it and"
                    + " may take its traffic; the next release tries again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw steps.failure(prefix() + "interrupted (the agent is stopping); the next release tries again", e);
        }
    }

    private String prefix() {
        return "local " + spec.ip() + " on " + spec.iface() + ": ";
    }
}
