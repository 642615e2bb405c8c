package io.pontoon.transport;

import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.fault.FaultPlan;
import io.pontoon.transport.fault.FaultRules;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges and applies the FAULT requests of this node's client connections (docs/PROTOCOL.md, CLIENT_ADMIN_REQUEST);
 * one per transport. A request is refused, with the reason, when fault control is off on this node, when its
 * connection did not prove the admin secret in the handshake (a client secret is not enough), or when it names another
 * node; else its {@link FaultPlan} replaces the node's fault rules, which apply to peer links only. Every plan set and
 * every refusal is logged. Called on event loops; applying a plan takes the rules' lock briefly.
 */
final class ClientFaultControl {
    private static final Logger LOG = LoggerFactory.getLogger(ClientFaultControl.class);

    private final int localNodeId;
    /** Null when fault control is off. */
    private final FaultRules rules;

    /** @param rules the node's fault rules, or null when fault control is off */
    ClientFaultControl(int localNodeId, FaultRules rules) {
        this.localNodeId = localNodeId;
        this.rules = rules;
    }

    /** Fault control off: every FAULT request is refused, naming why. */
    static ClientFaultControl off(int localNodeId) {
        return new ClientFaultControl(localNodeId, null);
    }

    /**
     * A validated FAULT request at {@code o}, from a connection that proved the admin secret or not. Null when its plan
     * now rules this node's peer links, else why it was refused (nothing changed).
     */
    String apply(DirectBuffer b, int o, boolean admin, SocketAddress client) {
        final String refusal = refusal(ClientAdminRequestCodec.arg(b, o), admin);
        if (refusal != null) {
            LOG.warn("node {}: refused a FAULT request from client {}: {}", localNodeId, client, refusal);
            return refusal;
        }
        final FaultPlan plan = decode(b, o);
        plan.applyTo(rules, localNodeId);
        LOG.warn("node {}: fault plan set by admin client {}: {}", localNodeId, client, plan.describe());
        return null;
    }

    private String refusal(long targetNodeId, boolean admin) {
        if (rules == null) {
            return "fault control is off on node " + localNodeId + " (start it with --fault-control and "
                + "--admin-secret-file, or PontoonServer.Builder.faultControl(true) with an adminSecret)";
        }
        if (!admin) {
            return "FAULT needs the admin credential: this connection did not prove node " + localNodeId
                + "'s admin secret (a client secret is not enough)";
        }
        if (targetNodeId != localNodeId) {
            return "this is node " + localNodeId + ", the FAULT request is for node " + targetNodeId;
        }
        return null;
    }

    /** The plan of a validated FAULT request. */
    static FaultPlan decode(DirectBuffer b, int o) {
        List<Integer> group = null;
        if (ClientAdminRequestCodec.faultPartition(b, o)) {
            final int size = ClientAdminRequestCodec.faultGroupSize(b, o);
            group = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                final int id = ClientAdminRequestCodec.faultGroupMember(b, o, i);
                if (!group.contains(id)) { // a repeated id is harmless: taken once
                    group.add(id);
                }
            }
        }
        return FaultPlan.ofWire(ClientAdminRequestCodec.faultDropPpm(b, o), ClientAdminRequestCodec.faultDelayNs(b, o),
            ClientAdminRequestCodec.faultJitterNs(b, o), group);
    }
}
