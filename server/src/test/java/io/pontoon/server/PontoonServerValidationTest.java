package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad setting fails before anything is opened, with a message naming the field. */
class PontoonServerValidationTest {
    @TempDir
    Path root;

    /** Valid but for what a test leaves out or overrides; the data directory does not exist yet. */
    private PontoonServer.Builder valid() {
        return PontoonServer.builder().nodeId(1).dataDir(root.resolve("data")).listen("127.0.0.1:0")
            .peer(1, "127.0.0.1:7001").peer(2, "127.0.0.1:7002").peer(3, "127.0.0.1:7003")
            .stateMachine(new HashingStateMachine());
    }

    private static String failure(Executable call, String... named) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String n : named) {
            assertTrue(e.getMessage().contains(n), "message names " + n + ": " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void startWithoutAStateMachineFailsNamingItAndOpensNothing() {
        failure(() -> valid().stateMachine(null).start(), "stateMachine");
        assertFalse(Files.exists(root.resolve("data")), "the data directory was not created");
    }

    @Test
    void startWithoutAnySettingNamesEveryRequiredField() {
        failure(() -> PontoonServer.builder().start(), "nodeId", "dataDir", "listen", "peers", "stateMachine");
    }

    @Test
    void aNodeIdThatIsNotAmongThePeersIsRefused() {
        failure(() -> valid().nodeId(4).start(), "nodeId 4", "peers", "[1, 2, 3]");
    }

    @Test
    void aNonLoopbackListenAddressWithoutPeerAuthenticationIsRefusedUnlessInsecure() {
        failure(() -> valid().listen("0.0.0.0:0").validate(), "0.0.0.0:0", "listen", "peerSecret", "tls", "insecure");
        assertDoesNotThrow(() -> valid().listen("0.0.0.0:0").insecure(true).validate());
        assertDoesNotThrow(() -> valid().listen("0.0.0.0:0").peerSecret(new byte[32]).validate());
    }

    @Test
    void negativeDurationsAreRefusedNamingTheField() {
        failure(() -> valid().electionTimeout(Duration.ofMillis(-1)), "electionTimeout", "-1 ms", "[1 ms, 60 s]");
        failure(() -> valid().heartbeatInterval(Duration.ofMillis(-50)), "heartbeatInterval", "-50 ms");
        failure(() -> valid().electionTimeout(null), "electionTimeout");
    }

    @Test
    void aHeartbeatIntervalAboveHalfTheElectionTimeoutIsRefused() {
        failure(() -> valid().electionTimeout(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(60)).validate(),
            "heartbeatInterval (60 ms)", "electionTimeout / 2 (50 ms)");
    }

    @Test
    void aDataDirThatIsAFileIsRefused() throws Exception {
        final Path file = Files.writeString(root.resolve("file"), "not a directory");
        failure(() -> valid().dataDir(file).start(), "dataDir", "is not a directory");
    }

    @Test
    void learnersMustBePeersListedOnceAndLeaveAVoter() {
        failure(() -> valid().learners(4).validate(), "learners", "node 4", "[1, 2, 3]");
        failure(() -> valid().learners(3, 3).validate(), "learners lists node 3 twice");
        failure(() -> valid().learners(1, 2, 3).validate(), "every peer", "at least one must vote");
        assertDoesNotThrow(() -> valid().learners(3).validate());
    }

    @Test
    void outOfRangeCountsAndSecretsAreRefusedNamingTheField() {
        failure(() -> valid().snapshotEvery(-1), "snapshotEvery");
        failure(() -> valid().snapshotEveryBytes(-1), "snapshotEveryBytes");
        failure(() -> valid().snapshotKeep(0), "snapshotKeep");
        failure(() -> valid().peerSecret(new byte[4]), "peerSecret", "16 .. 1024");
        failure(() -> valid().nodeId(0), "nodeId");
        failure(() -> valid().peer(0, "127.0.0.1:7004"), "peers");
        failure(() -> valid().peer(2, "127.0.0.1:7009"), "peers lists node 2 twice");
        failure(() -> valid().listen("no-port"), "listen");
        failure(() -> valid().secret(new byte[16]).clientSecret(new byte[17]).validate(), "secret", "clientSecret");
    }
}
