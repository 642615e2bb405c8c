package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Lets the Agrona flyweights read and write a Netty {@link ByteBuf} in place: one reusable
 * {@link UnsafeBuffer} re-pointed at the ByteBuf's memory (direct address or backing array), so
 * decoding and encoding allocate nothing. Buffers with neither (rare composites) go through a scratch
 * array that grows once. One instance per thread (or per channel); not thread-safe.
 */
public final class ByteBufView {
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer scratchView = new UnsafeBuffer(0, 0);
    private byte[] scratch = new byte[0];
    private boolean writingToScratch;

    /**
     * Read view of {@code length} bytes of {@code buf} from absolute {@code index}: offset 0 of the
     * returned buffer is {@code buf[index]}. Valid until the next call on this view.
     */
    public UnsafeBuffer wrap(ByteBuf buf, int index, int length) {
        if (buf.hasMemoryAddress()) {
            view.wrap(buf.memoryAddress() + index, length);
            return view;
        }
        if (buf.hasArray()) {
            view.wrap(buf.array(), buf.arrayOffset() + index, length);
            return view;
        }
        ensureScratch(length);
        buf.getBytes(index, scratch, 0, length);
        scratchView.wrap(scratch, 0, length);
        return scratchView;
    }

    /**
     * Starts writing at most {@code maxLength} bytes at {@code out}'s writer index: offset 0 of the
     * returned buffer is the first byte written. Finish with {@link #commit(ByteBuf, int)}.
     */
    public MutableDirectBuffer beginWrite(ByteBuf out, int maxLength) {
        out.ensureWritable(maxLength);
        final int index = out.writerIndex();
        if (out.hasMemoryAddress()) {
            writingToScratch = false;
            view.wrap(out.memoryAddress() + index, maxLength);
            return view;
        }
        if (out.hasArray()) {
            writingToScratch = false;
            view.wrap(out.array(), out.arrayOffset() + index, maxLength);
            return view;
        }
        writingToScratch = true;
        ensureScratch(maxLength);
        scratchView.wrap(scratch, 0, maxLength);
        return scratchView;
    }

    /** Publishes the {@code length} bytes written since {@link #beginWrite} by advancing the writer index. */
    public void commit(ByteBuf out, int length) {
        if (writingToScratch) {
            out.writeBytes(scratch, 0, length);
        } else {
            out.writerIndex(out.writerIndex() + length);
        }
    }

    private void ensureScratch(int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
    }
}
