package io.pontoon.storage;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Takes the first-touch page faults of the journal's cycle file off the journal thread: a daemon thread
 * ("pontoon-journal-pretouch[dir]") keeps the pages up to {@code windowBytes} ahead of the journal's write position
 * allocated in the page cache, so the journal thread's own write faults find the page there (a cheap minor fault)
 * instead of allocating, zeroing and reserving a disk block for it.
 *
 * <p>How a page is touched, and why that can never change a byte of the journal: this thread maps the current cycle
 * file itself ({@code FileChannel.map(READ_WRITE)}, a shared mapping of the same page-cache pages Chronicle's mapping
 * uses) and, for each 4 KiB page ahead of the writer, does an atomic compare-and-set of the page's first long from 0
 * to 0. A read would not do: a read fault maps the page read-only and the writer's fault still has to make it
 * writable (and reserve its block). The CAS is a write access, so the kernel allocates the page for writing, yet its
 * value effect is nil in every interleaving: it is one atomic read-modify-write, so no store of Chronicle's (its
 * header CAS, the payload copy) can fall between its read and its write; if it reads 0 it writes back 0, and if it
 * reads anything else it writes nothing. So it cannot overwrite bytes Chronicle wrote, whether before it or
 * concurrently, wherever in the file it lands. Chronicle's format makes it also useful: the bytes past the write
 * position are 0 until written (an excerpt header is claimed by a CAS from 0; a fresh cycle file is sparse), so the
 * pages ahead are exactly the untouched ones. Bytes left by a writer killed mid-excerpt are non-zero and stay as
 * they are (the CAS fails).
 *
 * <p>Never past the end of the file: an access to a mapped page beyond EOF raises SIGBUS. Touches stay below the
 * file's current size, and Chronicle (2026.4, open source) only ever grows a cycle file (ChunkedMappedFile
 * .resizeRafIfTooSmall; there is no file-shrinking step), and compaction unlinks whole files, which leaves a
 * mapping valid. This thread never grows the file (mapping is limited to the current size).
 *
 * <p>Cost to the journal thread: {@link #onWritten} per batch is two volatile writes and two volatile reads; it
 * unparks this thread only when the writer has used up half the window (about once per {@code windowBytes / 2}
 * bytes written) or moved to a new cycle. Errors here are logged once and end this thread; they never fail the
 * store (the journal thread then takes its faults itself, as without a pretoucher).
 */
final class JournalPretoucher {
    private static final Logger LOG = LoggerFactory.getLogger(JournalPretoucher.class);
    static final int PAGE = 4096;
    private static final int NO_CYCLE = Integer.MIN_VALUE;
    /** Bound on an idle park, so a missed wake-up costs at most this long of untouched pages. */
    private static final long IDLE_PARK_NS = 50_000_000L;

    private final IntFunction<Path> fileForCycle;
    private final long windowBytes;
    private final long mapBytes;
    private final String name;

    // Published by the journal thread after each batch.
    private volatile int writeCycle = NO_CYCLE;
    private volatile long writePosition;
    // Published by this thread: in handledCycle, the window up to handledEnd has been dealt with.
    private volatile int handledCycle = NO_CYCLE;
    private volatile long handledEnd;
    private volatile boolean wakePending;
    private volatile boolean stopping;
    /** Pages touched since start (any thread may read; for tests and benchmarks). */
    volatile long pagesTouched;
    /** The error that stopped this thread, if any (for tests). */
    volatile Throwable failure;

    private Thread thread;

    // This thread's own state.
    private int mappedCycle = NO_CYCLE;
    private FileChannel channel;
    private MappedByteBuffer map;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long mapStart;
    private long mapEnd;
    private long touchedTo;

    JournalPretoucher(IntFunction<Path> fileForCycle, long windowBytes, String name) {
        this.fileForCycle = fileForCycle;
        this.windowBytes = windowBytes;
        // Map a few windows at a time, so a remap (mmap + munmap, on this thread) happens every few windows.
        this.mapBytes = Math.min(Math.max(4 * windowBytes, 1L << 20), 1L << 30);
        this.name = name;
    }

    void start() {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Journal thread, after each batch: the writer is at byte {@code position} of cycle {@code cycle}'s file.
     * Never blocks: at most an unpark, once per half window.
     */
    void onWritten(int cycle, long position) {
        writePosition = position;
        if (cycle != writeCycle) {
            writeCycle = cycle;
        }
        final Thread t = thread;
        if (t != null && !wakePending && (cycle != handledCycle || position > handledEnd - windowBytes / 2)) {
            wakePending = true;
            LockSupport.unpark(t);
        }
    }

    /** Stops the thread and waits for it; it unmaps and closes the file it holds on its way out. */
    void stop() {
        stopping = true;
        final Thread t = thread;
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        final Thread t = thread;
        return t != null && t.isAlive();
    }

    private void run() {
        try {
            while (!stopping) {
                wakePending = false;
                touchAhead();
                if (!wakePending && !stopping) {
                    LockSupport.parkNanos(this, IDLE_PARK_NS);
                }
            }
        } catch (Throwable t) {
            // An optimisation only: log once and stop; the journal thread takes its own page faults from now on.
            failure = t;
            LOG.warn("{}: journal pre-toucher stopped; the journal goes on without it", name, t);
        } finally {
            release();
        }
    }

    private void touchAhead() throws IOException {
        final int cycle = writeCycle;
        final long position = writePosition;
        if (cycle == NO_CYCLE) {
            return;
        }
        if (cycle != mappedCycle) {
            // The writer moved on: let go of the old file at once (it may be compacted and deleted soon).
            release();
            mappedCycle = cycle;
            touchedTo = 0;
            try {
                channel = FileChannel.open(fileForCycle.apply(cycle), StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException gone) {
                // Compacted, or not where we expect it: nothing to touch in this cycle.
                channel = null;
            }
        }
        final long target = position + windowBytes;
        if (channel != null) {
            long page = Math.max(touchedTo, alignUp(position));
            // Whole pages inside the file only: touching past EOF would raise SIGBUS.
            final long size = channel.size();
            final long end = Math.min(target, size & -PAGE);
            while (page < end && !stopping && writeCycle == cycle) {
                if (page < mapStart || page + PAGE > mapEnd) {
                    remap(page, size);
                }
                final long stop = Math.min(end, mapEnd);
                long touched = 0;
                for (; page < stop; page += PAGE) {
                    // 0 -> 0: see the class comment for why this never changes a byte.
                    view.compareAndSetLong((int) (page - mapStart), 0L, 0L);
                    touched++;
                }
                pagesTouched += touched;
                touchedTo = page;
            }
        }
        handledEnd = target;
        handledCycle = cycle;
    }

    private void remap(long from, long size) throws IOException {
        unmap();
        mapStart = from;
        mapEnd = Math.min(from + mapBytes, size & -PAGE);
        map = channel.map(FileChannel.MapMode.READ_WRITE, mapStart, mapEnd - mapStart);
        view.wrap(map);
    }

    private void unmap() {
        if (map != null) {
            view.wrap(0, 0);
            IoUtil.unmap(map);
            map = null;
        }
        mapStart = 0;
        mapEnd = 0;
    }

    private void release() {
        unmap();
        if (channel != null) {
            DataDirectory.closeQuietly(channel);
            channel = null;
        }
        mappedCycle = NO_CYCLE;
    }

    private static long alignUp(long position) {
        return (position + PAGE - 1) & -PAGE;
    }
}
