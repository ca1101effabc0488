package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * String values: stored as their bytes inside the entry, with the encoding Redis would report
 * ({@code int} for a canonical 64-bit integer, {@code embstr} up to 44 bytes, else {@code raw}; a string
 * changed in place by APPEND or SETRANGE becomes {@code raw}, as in Redis). Shared by the commands and
 * the typed engine API so both behave the same.
 */
public final class Strings
{
    private Strings()
    {
    }

    /** The encoding of a string created without tryObjectEncoding: embstr up to 44 bytes, else raw. */
    public static int plainEncodingFor(final long length)
    {
        return length <= ObjectType.EMBSTR_SIZE_LIMIT ? ObjectType.ENCODING_EMBSTR : ObjectType.ENCODING_RAW;
    }

    /** Redis's tryObjectEncoding outcome for a fresh string value. */
    public static int encodingFor(final Object base, final long address, final long length)
    {
        if (length <= 20 && length > 0 && isCanonicalLong(base, address, (int)length))
        {
            return ObjectType.ENCODING_INT;
        }
        return length <= ObjectType.EMBSTR_SIZE_LIMIT ? ObjectType.ENCODING_EMBSTR : ObjectType.ENCODING_RAW;
    }

    /**
     * Set a string key after a lookup on {@code db} (found or not). TTL: {@code expireAtMs >= 0} sets it,
     * {@code keepTtl} keeps an existing one, otherwise any TTL is removed.
     *
     * @return the entry handle, or NULL_HANDLE when memory is exhausted (the keyspace is unchanged).
     */
    public static long set(
        final Keyspace keyspace,
        final Database db,
        final Object keyBase,
        final long keyAddress,
        final int keyLength,
        final Object valueBase,
        final long valueAddress,
        final int valueLength,
        final long expireAtMs,
        final boolean keepTtl,
        final EntryFlyweight entry)
    {
        return set(keyspace, db, keyBase, keyAddress, keyLength, valueBase, valueAddress, valueLength, expireAtMs,
            keepTtl, entry, encodingFor(valueBase, valueAddress, valueLength));
    }

    /** As above with the encoding given: Redis skips tryObjectEncoding for some results (INCRBYFLOAT). */
    public static long set(
        final Keyspace keyspace,
        final Database db,
        final Object keyBase,
        final long keyAddress,
        final int keyLength,
        final Object valueBase,
        final long valueAddress,
        final int valueLength,
        final long expireAtMs,
        final boolean keepTtl,
        final EntryFlyweight entry,
        final int encoding)
    {
        long e = db.foundEntry();
        if (e == NULL_HANDLE)
        {
            e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.STRING, encoding, valueLength, expireAtMs);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            entry.wrap(e);
        }
        else
        {
            // a collection's own blocks are released once the entry holds the string (a refusal keeps it whole)
            entry.wrap(e);
            // (a string overwriting a string, the hot path, reads no root: one encoding test on the wrapped entry)
            final long owned = ObjectType.ownsBlocks(entry.encoding()) ? keyspace.ownedRoot(e) : NULL_HANDLE;
            final boolean hadTtl = entry.hasExpire();
            final long wantTtl = expireAtMs >= 0 ? expireAtMs : (keepTtl && hadTtl ? entry.expireAt() : -1);
            if (hadTtl != (wantTtl >= 0))
            {
                e = keyspace.setExpire(db, wantTtl);
                if (e == NULL_HANDLE)
                {
                    return NULL_HANDLE;
                }
            }
            else if (wantTtl >= 0)
            {
                entry.expireAt(wantTtl);
            }
            e = keyspace.resizeValue(db, valueLength, 0);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            entry.wrap(e);
            if (entry.type() != ObjectType.STRING)
            {
                final int clock = entry.clock();
                entry.meta(ObjectType.STRING, encoding, entry.hasExpire(), clock);
            }
            else
            {
                entry.encoding(encoding);
            }
            keyspace.releaseOwned(owned);
        }
        // the entry flyweight points at e on both paths (each wrap checks the entry against its block)
        keyspace.memory().putBytes(entry.valueHandle(), valueBase, valueAddress, valueLength);
        return e;
    }

    /** Redis's string2ll acceptance: optional '-', digits, no leading zeros (but "0"), fits a signed long. */
    public static boolean isCanonicalLong(final Object base, final long address, final int length)
    {
        if (length == 0 || length > 20)
        {
            return false;
        }
        int i = 0;
        boolean negative = false;
        if (UnsafeApi.getByte(base, address) == '-')
        {
            negative = true;
            i = 1;
            if (length == 1)
            {
                return false;
            }
        }
        final byte first = UnsafeApi.getByte(base, address + i);
        if (first == '0')
        {
            return length == 1;
        }
        if (first < '1' || first > '9')
        {
            return false;
        }
        // accumulate negatively: the range of negative longs is one larger
        long value = 0;
        for (; i < length; i++)
        {
            final byte b = UnsafeApi.getByte(base, address + i);
            if (b < '0' || b > '9')
            {
                return false;
            }
            final int digit = b - '0';
            if (value < -922337203685477580L || (value == -922337203685477580L && digit > 8))
            {
                return false;
            }
            value = value * 10 - digit;
        }
        return negative || value != Long.MIN_VALUE;
    }

    /** Parse a stored value as Redis's string2ll; {@code out[0]} gets the value. */
    public static boolean parseLong(final PageMemory memory, final long valueHandle, final int length, final long[] out)
    {
        final long address = memory.address(valueHandle);
        if (!isCanonicalLong(null, address, length))
        {
            return false;
        }
        out[0] = parseCanonicalLong(null, address, length);
        return true;
    }

    /** The value of a range that {@link #isCanonicalLong} accepted. */
    public static long parseCanonicalLong(final Object base, final long address, final int length)
    {
        final boolean negative = UnsafeApi.getByte(base, address) == '-';
        long value = 0;
        for (int i = negative ? 1 : 0; i < length; i++)
        {
            value = value * 10 - (UnsafeApi.getByte(base, address + i) - '0');
        }
        return negative ? value : -value;
    }

    /** Write {@code value} as ASCII digits into {@code dst}; @return the length. */
    public static int formatLong(final long value, final byte[] dst)
    {
        if (value == Long.MIN_VALUE)
        {
            final byte[] min = "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(min, 0, dst, 0, min.length);
            return min.length;
        }
        long v = Math.abs(value);
        int digits = 1;
        for (long t = v; t >= 10; t /= 10)
        {
            digits++;
        }
        final int length = digits + (value < 0 ? 1 : 0);
        int i = length;
        do
        {
            dst[--i] = (byte)('0' + v % 10);
            v /= 10;
        }
        while (v != 0);
        if (value < 0)
        {
            dst[0] = '-';
        }
        return length;
    }
}
