package io.keelkv.engine.types;

import org.agrona.DirectBuffer;

/**
 * The bytes a compact-encoding flyweight ({@link ListpackFlyweight}, {@link IntsetFlyweight}) reads and
 * writes: a region {@code [0, capacity())} with byte reads, byte writes, a copy in and an overlapping move.
 *
 * <p>Why an interface of our own rather than an Agrona buffer: the same codec must run over a heap test
 * buffer and over page memory, and page memory may only be written through {@link
 * io.keelkv.engine.memory.PageMemory}'s put/copy methods (the write barrier the snapshot's copy-on-write
 * hangs on, and the bounds guard). An {@code UnsafeBuffer} over a page address would bypass both. So the
 * flyweights see only this narrow interface; {@link BufferRegion} adapts an Agrona buffer (tests, scratch
 * space), {@link PageRegion} a block in page memory. Two implementations keep every call site at most
 * bimorphic, which the JIT inlines.
 *
 * <p>Contract: every index is checked against {@code capacity()} by the implementation, so a codec bug or a
 * lying length read from untrusted bytes fails with an exception instead of touching memory outside the
 * region. The codecs' validation never relies on that: it checks lengths itself before reading.
 */
public interface ByteRegion
{
    /** The number of bytes the region may hold; the encoded blob uses a prefix of it. */
    int capacity();

    byte getByte(int index);

    void putByte(int index, byte value);

    /** Copy {@code length} bytes of {@code src} from {@code srcIndex} into the region at {@code index}. */
    void putBytes(int index, DirectBuffer src, int srcIndex, int length);

    /** memmove inside the region: {@code [srcIndex, srcIndex + length)} to {@code dstIndex}; ranges may overlap. */
    void move(int dstIndex, int srcIndex, int length);

    /** Copy {@code length} bytes of the region from {@code index} out to {@code dst} at {@code dstIndex}. */
    void getBytes(int index, org.agrona.MutableDirectBuffer dst, int dstIndex, int length);

    /** The implementations' check of the contract: {@code [index, index + length)} inside {@code [0, capacity)}. */
    static void check(final int index, final int length, final int capacity)
    {
        if (index < 0 || length < 0 || index > capacity - length)
        {
            throw new IndexOutOfBoundsException("[" + index + ", +" + length + ") outside region of " + capacity);
        }
    }
}
