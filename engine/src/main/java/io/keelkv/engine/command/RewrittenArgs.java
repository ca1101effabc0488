package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Builds the deterministic form of a command for the AOF (EXPIRE as PEXPIREAT, SET ... EX as SET ...
 * PXAT, INCRBYFLOAT as SET ... KEEPTTL), as Redis rewrites argv before propagation. One instance per
 * command family, reused; it owns a scratch buffer that grows only for bigger arguments.
 */
final class RewrittenArgs
{
    private final Args args = new Args();
    private UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
    private int used;

    RewrittenArgs start()
    {
        used = 0;
        args.reset(scratch);
        return this;
    }

    private void ensure(final int bytes)
    {
        if (used + bytes > scratch.capacity())
        {
            final UnsafeBuffer grown = new UnsafeBuffer(new byte[Math.max(scratch.capacity() * 2, used + bytes)]);
            grown.putBytes(0, scratch, 0, used);
            scratch = grown;
            // earlier arguments keep their offsets; re-point the flyweight at the new buffer
            final Args copy = new Args();
            copy.reset(grown);
            for (int i = 0; i < args.count(); i++)
            {
                copy.add(args.offset(i), args.length(i));
            }
            args.reset(grown);
            for (int i = 0; i < copy.count(); i++)
            {
                args.add(copy.offset(i), copy.length(i));
            }
        }
    }

    RewrittenArgs add(final byte[] literal)
    {
        ensure(literal.length);
        scratch.putBytes(used, literal);
        args.add(used, literal.length);
        used += literal.length;
        return this;
    }

    RewrittenArgs add(final Args from, final int i)
    {
        final int length = from.length(i);
        ensure(length);
        scratch.putBytes(used, from.buffer(), from.offset(i), length);
        args.add(used, length);
        used += length;
        return this;
    }

    RewrittenArgs add(final long value)
    {
        ensure(20);
        final int length = scratch.putLongAscii(used, value);
        args.add(used, length);
        used += length;
        return this;
    }

    RewrittenArgs add(final byte[] bytes, final int offset, final int length)
    {
        ensure(length);
        scratch.putBytes(used, bytes, offset, length);
        args.add(used, length);
        used += length;
        return this;
    }

    /** An argument copied from page memory (a collection's member, by its raw address). */
    RewrittenArgs addFromAddress(final long address, final int length)
    {
        ensure(length);
        org.agrona.UnsafeApi.copyMemory(null, address, scratch.byteArray(), scratch.addressOffset() + used, length);
        args.add(used, length);
        used += length;
        return this;
    }

    int count()
    {
        return args.count();
    }

    Args args()
    {
        return args;
    }

    static byte[] literal(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
