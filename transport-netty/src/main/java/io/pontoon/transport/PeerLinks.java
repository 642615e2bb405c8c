package io.pontoon.transport;

import io.netty.bootstrap.Bootstrap;
import io.pontoon.spi.Membership;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@link PeerLink}s of a {@link NettyTransport}, following the cluster configuration (docs/PROTOCOL.md,
 * "Connections").
 *
 * <ul>
 *   <li>Until the node gives a configuration ({@link #onMembershipChanged}), the peers are
 *       {@link NettyTransportConfig#peers}. From then on they are the members of the configuration in effect. A
 *       member's address is the one the configuration gives, else the last one known (from an earlier configuration,
 *       else from {@code NettyTransportConfig.peers}). A member this node must dial and has no address for gets no
 *       link (a warning says so) until a configuration gives one; one that dials this node needs none.</li>
 *   <li>A member that leaves the configuration has its link closed and removed; a member this node dials whose
 *       address changes is redialled at the new one. A malformed address is logged and ignored.</li>
 *   <li>Handshakes ({@link #admits}): a node known to be outside the configuration (one this transport has had as a
 *       peer, configured or in a configuration, and that is not a member now) is refused. A node never heard of is
 *       accepted once a configuration is followed, if it authenticates like any peer and dials in the right
 *       direction: thesis §4.1, a server takes RPCs from servers outside its configuration, since a member that lags
 *       may not have the entry adding a node that already leads. Such an <em>unlisted</em> link lasts until its
 *       connection closes or a configuration lists the node.</li>
 * </ul>
 *
 * <p>Threads: the node's Raft thread (and, before {@link NettyTransport#start}, the thread building the node) calls
 * {@link #onMembershipChanged}; event loops call {@link #admits} and {@link #onAcceptedChannelClosed}; any thread
 * calls {@link #close}. They change the links under one monitor, briefly, and publish a new map and array (copy on
 * write: changes are rare). {@link #get}, {@link #array} and {@link #releaseRetired} take no lock and allocate
 * nothing; a link removed is released by the Raft thread's next {@link #releaseRetired}, since only that thread
 * touches a link's pending frames.
 */
final class PeerLinks {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);

    private final NettyTransport transport;
    private final NettyTransportConfig config;
    private final int localNodeId;
    private final Object lock = new Object();
    /** Last known address of each node, this one included: the configured peers, then configurations. Under lock. */
    private final Map<Integer, InetSocketAddress> addressBook = new TreeMap<>();
    /** Every node this transport has had as a peer: configured, or a member of a configuration given. Under lock. */
    private final IntHashSet known = new IntHashSet();
    /** Nodes linked while outside every configuration given (see the class comment). Under lock. */
    private final IntHashSet unlisted = new IntHashSet();
    /** The configuration in effect, or null until the node gives one. Under lock. */
    private Membership membership;
    /** The transport's client bootstrap, set by {@link #open}; no link exists before. Under lock. */
    private Bootstrap base;
    /** Links start dialling when made once this is set ({@link #startDialling}). Under lock. */
    private boolean dialling;
    private boolean closed;

    private volatile Int2ObjectHashMap<PeerLink> byId = new Int2ObjectHashMap<>();
    private volatile PeerLink[] array = new PeerLink[0];
    /** Set by the first configuration: from then on a node never heard of may dial in ({@link #admits}). */
    private volatile boolean following;
    /** Nodes refused in the handshake: known, and not a member now. */
    private volatile IntHashSet refused = new IntHashSet();
    /** {@code host:port} bytes of each node with a known address, for client redirects. */
    private volatile Int2ObjectHashMap<byte[]> advertised = new Int2ObjectHashMap<>();
    /** Links removed from the map whose pending frames the Raft thread has not released yet. */
    private final Queue<PeerLink> retired = new ConcurrentLinkedQueue<>();

    PeerLinks(NettyTransport transport, NettyTransportConfig config) {
        this.transport = transport;
        this.config = config;
        this.localNodeId = config.nodeId;
        addressBook.putAll(config.peers);
        addressBook.putIfAbsent(localNodeId, config.listenAddress);
        config.peers.keySet().forEach(id -> {
            if (id != localNodeId) {
                known.add(id);
            }
        });
        publishAdvertised();
    }

    /** The link with {@code peerId}, or null. Any thread; no lock, no allocation. */
    PeerLink get(int peerId) {
        return byId.get(peerId);
    }

    /** Every link now. Any thread; no lock, no allocation. */
    PeerLink[] array() {
        return array;
    }

    /**
     * Event loop, before the connector is authenticated: false for this node's own id, for a node known not to be a
     * member now, and, while no configuration is followed, for a node that is not a configured peer (the handshake
     * answers UNKNOWN_NODE).
     */
    boolean mayConnect(int nodeId) {
        return nodeId != localNodeId && !refused.contains(nodeId) && (following || byId.get(nodeId) != null);
    }

    /** The {@code host:port} bytes clients are redirected to for {@code nodeId}, or null. Any thread. */
    byte[] advertisedAddress(int nodeId) {
        return advertised.get(nodeId);
    }

    /**
     * Event loop, once a peer that dials this node has authenticated: true if a link takes its connection (a member,
     * or an unlisted node, which gets a link now); false if the node is refused. The direction rule is checked
     * before.
     */
    boolean admits(int nodeId) {
        if (byId.get(nodeId) != null) {
            return true;
        }
        final String configuration;
        synchronized (lock) {
            if (byId.get(nodeId) != null) {
                return true;
            }
            if (closed || base == null || membership == null || nodeId == localNodeId || refused.contains(nodeId)
                || PeerLink.dialsPeer(localNodeId, nodeId)) {
                return false;
            }
            final PeerLink link = new PeerLink(nodeId, null, transport, base);
            unlisted.add(nodeId);
            final Int2ObjectHashMap<PeerLink> next = new Int2ObjectHashMap<>(byId);
            next.put(nodeId, link);
            publish(next);
            configuration = membership.describe();
        }
        LOG.info("node {}: node {} dialled in, which is not in this node's configuration ({}); linked until its "
            + "connection closes or a configuration lists it", localNodeId, nodeId, configuration);
        return true;
    }

    /** Event loop: a connection accepted for {@code link} closed. An unlisted link left without one is dropped. */
    void onAcceptedChannelClosed(PeerLink link) {
        final int id = link.peerId();
        synchronized (lock) {
            if (closed || byId.get(id) != link || !unlisted.contains(id) || link.isConnected()) {
                return; // a member's link waits for the peer to redial; a replaced connection changes nothing
            }
            unlisted.remove(id);
            final Int2ObjectHashMap<PeerLink> next = new Int2ObjectHashMap<>(byId);
            next.remove(id);
            publish(next);
            retired.add(link);
        }
        link.close();
        LOG.info("node {}: connection with unlisted node {} closed; link dropped", localNodeId, id);
    }

    /**
     * The configuration in effect is now {@code m}: links for new members, closed links for members that left.
     * Called on the Raft thread, or before start on the thread building the node; never throws for a bad address.
     */
    void onMembershipChanged(Membership m) {
        final List<PeerLink> started = new ArrayList<>();
        final List<PeerLink> closing = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            membership = m;
            following = true;
            for (int id : m.members()) {
                if (id != localNodeId) {
                    known.add(id);
                    unlisted.remove(id);
                }
            }
            m.addresses().forEach((id, hostPort) -> {
                final InetSocketAddress parsed = parseMemberAddress(id, hostPort);
                if (parsed != null) {
                    addressBook.put(id, parsed);
                }
            });
            reconcile(started, closing);
        }
        for (PeerLink link : closing) {
            link.close();
        }
        for (PeerLink link : started) {
            link.start();
        }
    }

    /** Null, with a warning naming the member, if {@code hostPort} is not a usable peer address. */
    private InetSocketAddress parseMemberAddress(int id, String hostPort) {
        final InetSocketAddress parsed;
        try {
            parsed = NettyTransportConfig.parseUnresolvedAddress("address of member " + id, hostPort);
        } catch (IllegalArgumentException e) {
            LOG.warn("node {}: ignoring the address the configuration gives for member {}: {}", localNodeId, id,
                e.getMessage());
            return null;
        }
        if (parsed.getPort() == 0) {
            LOG.warn("node {}: ignoring the address the configuration gives for member {}: port 0 ('{}')", localNodeId,
                id, hostPort);
            return null;
        }
        return parsed;
    }

    /**
     * Before the listening socket is bound: makes the links of the peers (from the configuration given, else the
     * configured peers), not dialling yet, so an accepted peer connection finds its link. Start thread.
     */
    void open(Bootstrap bootstrap) {
        synchronized (lock) {
            base = bootstrap;
            reconcile(new ArrayList<>(), new ArrayList<>()); // no link yet, and none dials before startDialling()
        }
    }

    /** Once the listening socket is bound: every link that dials starts, and so does each one made from now on. */
    void startDialling() {
        final PeerLink[] links;
        synchronized (lock) {
            if (closed) {
                return;
            }
            dialling = true;
            links = array;
        }
        for (PeerLink link : links) {
            link.start();
        }
    }

    /**
     * Under lock: the links the peer set needs now, replacing those for members that left or moved. Links to start
     * (once dialling) go to {@code started}, links to close (outside the lock) to {@code closing}.
     */
    private void reconcile(List<PeerLink> started, List<PeerLink> closing) {
        if (base == null) {
            publishRefusedAndAdvertised();
            return; // not started: the links are made by open()
        }
        final Int2ObjectHashMap<PeerLink> current = byId;
        final Int2ObjectHashMap<PeerLink> next = new Int2ObjectHashMap<>();
        for (int id : peerIds()) {
            final InetSocketAddress address = addressBook.get(id);
            final boolean dials = PeerLink.dialsPeer(localNodeId, id);
            PeerLink link = current.get(id);
            if (link != null && dials && address != null && !sameAddress(link.address(), address)) {
                LOG.info("node {}: member {} moved from {} to {}; redialling", localNodeId, id, link.address(),
                    address);
                closing.add(link);
                link = null;
            }
            if (link == null) {
                if (dials && address == null) {
                    LOG.warn("node {}: no address known for member {} ({}): it cannot be dialled until a configuration "
                        + "gives one", localNodeId, id, membership == null ? "configured" : membership.describe());
                    continue;
                }
                link = new PeerLink(id, address, transport, base);
                if (dialling) {
                    started.add(link);
                }
            }
            next.put(id, link);
        }
        for (PeerLink link : array) {
            final int id = link.peerId();
            if (next.get(id) == link || closing.contains(link)) {
                continue;
            }
            if (unlisted.contains(id)) {
                next.put(id, link); // a configuration that never listed it: it may lead one this node has not seen
                continue;
            }
            LOG.info("node {}: node {} left the configuration ({}); closing its link", localNodeId, id,
                membership == null ? "configured peers" : membership.describe());
            closing.add(link);
        }
        publish(next);
        retired.addAll(closing);
    }

    /** Under lock: the ids that should have a link (members, else the configured peers), without this node's. */
    private int[] peerIds() {
        final int[] ids = membership != null ? membership.members()
            : config.peers.keySet().stream().mapToInt(Integer::intValue).toArray();
        return java.util.Arrays.stream(ids).filter(id -> id != localNodeId).toArray();
    }

    private static boolean sameAddress(InetSocketAddress a, InetSocketAddress b) {
        return a != null && NettyTransportConfig.format(a).equals(NettyTransportConfig.format(b));
    }

    /** Under lock: publishes {@code next} (never changed after) and what follows from it. */
    private void publish(Int2ObjectHashMap<PeerLink> next) {
        byId = next;
        array = next.values().toArray(new PeerLink[0]);
        publishRefusedAndAdvertised();
    }

    private void publishRefusedAndAdvertised() {
        final IntHashSet nextRefused = new IntHashSet();
        for (int id : known) {
            final boolean member = membership != null ? membership.isMember(id) : config.peers.containsKey(id);
            if (!member) {
                nextRefused.add(id);
            }
        }
        refused = nextRefused;
        publishAdvertised();
    }

    private void publishAdvertised() {
        final Int2ObjectHashMap<byte[]> next = new Int2ObjectHashMap<>();
        addressBook.forEach((id, address) -> {
            try {
                next.put((int) id, ClientAppendResponseCodec.addressBytes(NettyTransportConfig.format(address)));
            } catch (IllegalArgumentException e) {
                // too long to redirect a client to: the client is told the leader without an address
            }
        });
        advertised = next;
    }

    /** Raft thread, each flush: drops the frames still pending in links removed since. No allocation. */
    void releaseRetired() {
        PeerLink link;
        while ((link = retired.poll()) != null) {
            link.releaseOnRaftThread();
        }
    }

    /** Any thread: closes every link; nothing is linked or admitted after. */
    void close() {
        final PeerLink[] links;
        synchronized (lock) {
            closed = true;
            links = array;
        }
        for (PeerLink link : links) {
            link.close();
        }
    }
}
