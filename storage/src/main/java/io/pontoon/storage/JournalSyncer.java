package io.pontoon.storage;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes the journal durable with {@code fdatasync} ({@link FileChannel#force force(false)}), which throws on
 * failure, unlike Chronicle's msync, which only logs (LIBRARY-FACTS.md).
 *
 * <p>In {@link Durability#SYNC} a dedicated thread runs the syncs, so the journal thread writes the next batch
 * while the previous one syncs (pipelined group commit). The journal thread posts a request after each duty
 * cycle: the last index and truncation count it has fully written, and the range of cycle files written since
 * the previous request (the older one included: a roll writes Chronicle's end-of-cycle marker into it). The
 * sync thread takes the newest request, fsyncs those files (and the journal directory when a cycle file is new
 * since the last directory sync), and only then publishes the request's index and truncation count through
 * {@link JournalAgent#publishDurable}. Requests posted during a sync coalesce into the next one. A failed sync
 * fails the store ({@link JournalAgent#fail}); the durable index never moves again.
 */
final class JournalSyncer {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSyncer.class);
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private final JournalAgent agent;
    private final JournalFiles files;
    private final Path journalDir;
    private final Object lock = new Object();

    // Request, guarded by lock: written by the journal thread, taken by the sync thread.
    private boolean pending;
    private long requestIndex;
    private long requestTruncations;
    private int requestLowCycle = Integer.MAX_VALUE;
    private int requestHighCycle = NO_CYCLE;

    // Sync state, touched by one thread at a time (the sync thread; inline syncs happen before it starts or
    // after it stopped).
    private int openCycle = NO_CYCLE;
    private FileChannel openChannel;
    private int directorySyncedCycle = NO_CYCLE;

    /** How a file is made durable; tests substitute a failing one (a real fsync failure cannot be provoked). */
    interface Force {
        void force(FileChannel channel) throws IOException;
    }

    volatile Force force = channel -> channel.force(false);

    private volatile boolean stopping;
    private Thread thread;

    JournalSyncer(JournalAgent agent, SingleChronicleQueue queue) {
        this.agent = agent;
        this.files = new JournalFiles(queue);
        this.journalDir = queue.file().toPath();
    }

    void start(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Journal thread: everything up to {@code index} (and {@code truncations}) is written to cycles [low, high]. */
    void request(long index, long truncations, int lowCycle, int highCycle) {
        synchronized (lock) {
            pending = true;
            requestIndex = index;
            requestTruncations = truncations;
            requestLowCycle = Math.min(requestLowCycle, lowCycle);
            requestHighCycle = Math.max(requestHighCycle, highCycle);
        }
        LockSupport.unpark(thread);
    }

    /** Syncs cycles [low, high] on the calling thread (the sync thread must not be running). */
    void syncNow(int lowCycle, int highCycle) throws IOException {
        syncCycles(lowCycle, highCycle);
    }

    /** Stops the sync thread after the sync in progress (and any request already posted) is done. */
    void stop() {
        if (thread == null) {
            return;
        }
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void closeChannel() {
        if (openChannel != null) {
            DataDirectory.closeQuietly(openChannel);
            openChannel = null;
            openCycle = NO_CYCLE;
        }
    }

    private void run() {
        try {
            while (true) {
                final long index;
                final long truncations;
                final int low;
                final int high;
                synchronized (lock) {
                    if (!pending) {
                        index = -1;
                        truncations = -1;
                        low = NO_CYCLE;
                        high = NO_CYCLE;
                    } else {
                        pending = false;
                        index = requestIndex;
                        truncations = requestTruncations;
                        low = requestLowCycle;
                        high = requestHighCycle;
                        requestLowCycle = Integer.MAX_VALUE;
                        requestHighCycle = NO_CYCLE;
                    }
                }
                if (high == NO_CYCLE) {
                    if (stopping || agent.failure != null) {
                        return;
                    }
                    LockSupport.park(this);
                    continue;
                }
                final long startNs = System.nanoTime();
                syncCycles(low, high);
                agent.onSyncTimed(System.nanoTime() - startNs, low, high);
                agent.onSyncCompleted(index, truncations);
            }
        } catch (Throwable t) {
            agent.fail(t);
        } finally {
            closeChannel();
        }
    }

    private void syncCycles(int low, int high) throws IOException {
        if ((long) high - low <= 1) {
            for (int cycle = low; cycle <= high; cycle++) {
                forceCycle(cycle);
            }
        } else {
            // Cycles need not be contiguous (an idle node skips hours): sync the files that exist in the range.
            for (final int cycle : files.cycles()) {
                if (cycle >= low && cycle <= high) {
                    forceCycle(cycle);
                }
            }
        }
        if (high > directorySyncedCycle) {
            // A new cycle file is a new directory entry: without this a power loss can lose the whole file.
            try (FileChannel dir = FileChannel.open(journalDir, StandardOpenOption.READ)) {
                dir.force(true);
            }
            directorySyncedCycle = high;
        }
    }

    private void forceCycle(int cycle) throws IOException {
        final FileChannel channel = channelFor(cycle);
        if (channel != null) {
            force.force(channel);
        }
    }

    /** The channel of a cycle file, kept open for the current cycle; null if the file is gone (compacted). */
    private FileChannel channelFor(int cycle) throws IOException {
        if (cycle == openCycle) {
            return openChannel;
        }
        final Path file = files.fileFor(cycle).toPath();
        final FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (NoSuchFileException gone) {
            LOG.debug("journal file {} to sync is gone (compacted)", file);
            return null;
        }
        if (cycle > openCycle) {
            closeChannel();
            openCycle = cycle;
            openChannel = channel;
            return channel;
        }
        // An older cycle (after a roll): sync it once through a throw-away channel.
        try (channel) {
            force.force(channel);
        }
        return null;
    }
}
