package io.keelkv.engine.aof;

import io.keelkv.engine.resp.Args;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.UnsafeApi;

/**
 * Where the AOF encodes commands before they are copied into the mapped file: RESP multibulk, as Redis's
 * catAppendOnlyGenericCommand writes it ({@code *N\r\n} then {@code $len\r\nbytes\r\n} per argument). A heap
 * buffer that grows to the largest command seen and is reused: encoding allocates nothing after that. Bytes
 * stay here when the file cannot take them (Redis's aof_buf after a failed write), until {@link #clear}.
 * Owner thread only.
 */
final class AofStaging
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private int length;

    DirectBuffer buffer()
    {
        return buffer;
    }

    int length()
    {
        return length;
    }

    void clear()
    {
        length = 0;
    }

    /** Bytes that are already a whole command in canonical RESP (a request as it arrived, see Args#rawLength). */
    void raw(final DirectBuffer source, final int offset, final int bytes)
    {
        buffer.putBytes(length, source, offset, bytes);
        length += bytes;
    }

    /** {@code *count\r\n}. */
    void header(final int count)
    {
        buffer.putByte(length++, (byte)'*');
        length += buffer.putIntAscii(length, count);
        crLf();
    }

    void bulk(final byte[] bytes)
    {
        lengthLine(bytes.length);
        buffer.putBytes(length, bytes);
        length += bytes.length;
        crLf();
    }

    void bulk(final Args args, final int i)
    {
        final int bytes = args.length(i);
        lengthLine(bytes);
        buffer.putBytes(length, args.buffer(), args.offset(i), bytes);
        length += bytes;
        crLf();
    }

    /** A bulk copied from memory: page memory (base null) or a caller's array or buffer. */
    void bulk(final Object base, final long address, final int bytes)
    {
        lengthLine(bytes);
        buffer.checkLimit(length + bytes + 2);
        UnsafeApi.copyMemory(base, address, buffer.byteArray(), buffer.addressOffset() + length, bytes);
        length += bytes;
        crLf();
    }

    /** A bulk holding the decimal text of {@code value}. */
    void bulk(final long value)
    {
        int digits = value < 0 ? 2 : 1;
        for (long rest = Math.abs(value); rest >= 10; rest /= 10)
        {
            digits++;
        }
        lengthLine(digits);
        length += buffer.putLongAscii(length, value);
        crLf();
    }

    private void lengthLine(final int bytes)
    {
        buffer.putByte(length++, (byte)'$');
        length += buffer.putIntAscii(length, bytes);
        crLf();
    }

    private void crLf()
    {
        buffer.putByte(length++, (byte)'\r');
        buffer.putByte(length++, (byte)'\n');
    }
}
