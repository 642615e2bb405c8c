package io.pontoon.storage;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process of {@link CrashRecoveryTest}: appends deterministic entries ({@link TestPayloads#forIndex}) in
 * SYNC mode, forever, and prints {@code DURABLE n} each time the store reports a higher durable index. The
 * parent kills it with kill -9 at a moment of its choosing.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) {
        final ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(Path.of(args[0]))
            .durability(Durability.SYNC)
            .ringCapacityBytes(1 << 20)
            .maxBatchRecords(Integer.parseInt(args[1]))
            // Off by default in SYNC; on here so kill -9 also lands while it touches pages ahead of the writer.
            .pretouchWindowBytes(64 * 1024)
            .build());
        long next = store.lastIndex() + 1;
        long printed = store.durableIndex();
        System.out.println("OPENED last=" + store.lastIndex() + " durable=" + printed);
        System.out.flush();
        while (true) {
            // Stay a bounded distance ahead of the disk so kills land both inside and between group commits.
            if (next - store.durableIndex() < 3000) {
                TestPayloads.append(store, next, TestPayloads.termForIndex(next), TestPayloads.forIndex(next));
                next++;
            } else {
                LockSupport.parkNanos(20_000);
            }
            final long durable = store.durableIndex();
            if (durable > printed) {
                printed = durable;
                System.out.println("DURABLE " + durable);
                System.out.flush();
            }
        }
    }
}
