package io.keelkv.engine.keyspace;

import io.keelkv.engine.types.ObjectType;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * DEBUG DIGEST: Redis 7.0's order-independent dataset digest (debug.c computeDatasetDigest), so that the
 * same dataset gives the same 40 hex digits on KeelKV and on redis-server, and a persistence round trip
 * can be checked with one command. Per key: mix(key), mix(type), mix(value), xor "!!expire!!" if it has
 * a TTL; keys are xored into the database's share; each non-empty database first mixes its number in.
 * Not on the hot path: allocates freely.
 */
public final class Digest
{
    private final MessageDigest sha1;

    public Digest()
    {
        try
        {
            sha1 = MessageDigest.getInstance("SHA-1");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** digest ^= sha1(data) */
    private void xorDigest(final byte[] digest, final byte[] data)
    {
        final byte[] hash = sha1.digest(data);
        for (int i = 0; i < 20; i++)
        {
            digest[i] ^= hash[i];
        }
    }

    /** digest = sha1(digest ^ sha1(data)) */
    private void mixDigest(final byte[] digest, final byte[] data)
    {
        xorDigest(digest, data);
        final byte[] hash = sha1.digest(digest);
        System.arraycopy(hash, 0, digest, 0, 20);
    }

    private static byte[] bigEndian(final int value)
    {
        return new byte[] {(byte)(value >>> 24), (byte)(value >>> 16), (byte)(value >>> 8), (byte)value};
    }

    /** The digest of one value as DEBUG DIGEST-VALUE reports it (type, value, expire flag). */
    public byte[] valueDigest(final EntryFlyweight entry)
    {
        final byte[] digest = new byte[20];
        mixValue(digest, entry);
        return digest;
    }

    private void mixValue(final byte[] digest, final EntryFlyweight entry)
    {
        mixDigest(digest, bigEndian(entry.type()));
        if (entry.type() == ObjectType.STRING)
        {
            mixDigest(digest, entry.valueBytes());
        }
        if (entry.hasExpire())
        {
            xorDigest(digest, "!!expire!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    public byte[] datasetDigest(final Keyspace keyspace)
    {
        final byte[] result = new byte[20];
        final EntryFlyweight entry = new EntryFlyweight(keyspace.memory());
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            final Database db = keyspace.database(i);
            if (db.size() == 0)
            {
                continue;
            }
            mixDigest(result, bigEndian(i));
            db.forEach(e ->
            {
                entry.wrap(e);
                final byte[] digest = new byte[20];
                mixDigest(digest, entry.keyBytes());
                mixValue(digest, entry);
                xorDigest(result, digest);
            });
        }
        return result;
    }

    public static String hex(final byte[] digest)
    {
        final StringBuilder sb = new StringBuilder(40);
        for (final byte b : digest)
        {
            sb.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
