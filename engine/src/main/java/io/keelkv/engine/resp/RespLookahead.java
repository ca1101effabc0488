package io.keelkv.engine.resp;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A fast, forgiving look ahead into pipelined input: finds argument 1 (the key, for most commands) of the
 * next complete multibulk requests, so that the caller can prefetch their keys (the keyspace's
 * KeyPrefetcher) before the requests are decoded and run one by one.
 *
 * <p>It validates nothing and changes no state: the {@link RespDecoder} still decodes every request with
 * Redis's rules. At the first byte it does not expect (an inline command, a malformed or incomplete
 * request) it simply stops; a wrong guess only costs the prefetch.
 */
public final class RespLookahead
{
    private RespLookahead()
    {
    }

    /**
     * Find argument 1 of each complete request in {@code [offset, limit)}, up to {@code max} of them.
     *
     * @param addresses receives each key's address (with {@code buffer.byteArray()} as the base).
     * @param lengths   receives each key's length.
     * @return the number of keys found.
     */
    public static int findKeys(
        final DirectBuffer buffer, final int offset, final int limit, final long[] addresses, final int[] lengths,
        final int max)
    {
        final byte[] array = buffer.byteArray();
        final long base = buffer.addressOffset();
        int p = offset;
        int added = 0;
        while (p < limit && added < max)
        {
            if (UnsafeApi.getByte(array, base + p) != '*')
            {
                break;
            }
            int q = p + 1;
            int count = 0;
            byte b;
            while (q < limit && (b = UnsafeApi.getByte(array, base + q)) >= '0' && b <= '9' && count < 1_000_000)
            {
                count = count * 10 + (b - '0');
                q++;
            }
            q += 2; // CRLF
            for (int i = 0; i < count; i++)
            {
                if (q >= limit || UnsafeApi.getByte(array, base + q) != '$')
                {
                    return added;
                }
                q++;
                // in long, and given up as soon as the bulk cannot end within the input: a client's
                // "$2147483647" must not wrap the int position below and send the scan before the buffer
                long length = 0;
                while (q < limit && (b = UnsafeApi.getByte(array, base + q)) >= '0' && b <= '9')
                {
                    length = length * 10 + (b - '0');
                    if (length > limit)
                    {
                        return added; // incomplete (or never to be complete): the rest has not arrived
                    }
                    q++;
                }
                final long start = q + 2L;
                final long end = start + length + 2;
                if (end > limit)
                {
                    return added; // incomplete: the rest has not arrived
                }
                if (i == 1)
                {
                    addresses[added] = base + start;
                    lengths[added] = (int)length;
                    added++;
                }
                q = (int)end;
            }
            p = q;
        }
        return added;
    }
}
