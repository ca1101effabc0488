package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;

import org.agrona.UnsafeApi;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's order-independent dataset digest (debug.c
 * computeDatasetDigest, xorObjectDigest, mixDigest, xorDigest), so that the same dataset gives the same
 * 40 hex digits on KeelKV and on redis-server, and a persistence round trip (snapshot, AOF rewrite,
 * reload) is checked with one command against either.
 *
 * <pre>
 *   xor(d, data):  d ^= sha1(data)                  order-independent "add"
 *   mix(d, data):  d = sha1(d ^ sha1(data))         order-dependent feedback
 *
 *   per key:  k = 0; mix(k, key); mix(k, be32(type)); mix(k, value bytes); xor(k, "!!expire!!") if a TTL
 *   per db:   if the db has any key: mix(final, be32(db index)); then xor(final, k) for each key
 * </pre>
 * Note the last step: {@code final} is xored with sha1(k), not with k. A string's value is its bytes
 * (Redis decodes an int-encoded string to its decimal text first, which is what KeelKV stores anyway).
 * Only the presence of a TTL counts, not its value, so that a reload does not change the digest. As in
 * Redis, keys whose deadline passed but which are still in the table are included: a debug command sees
 * the table, not the logical dataset.
 *
 * <p>Not on the hot path, but a DEBUG DIGEST of millions of keys should not churn the heap either: one
 * instance reuses its buffers, and values are hashed in chunks copied out of page memory. Not thread-safe.
 */
public final class Digest
{
    public static final int DIGEST_LENGTH = 20;
    private static final byte[] EXPIRE_MARK = {'!', '!', 'e', 'x', 'p', 'i', 'r', 'e', '!', '!'};
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    private static final int CHUNK_BYTES = 8192;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final PageMemory memory;
    private final MessageDigest sha1;
    private final EntryFlyweight entry;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private final byte[] hash = new byte[DIGEST_LENGTH];
    private final byte[] keyDigest = new byte[DIGEST_LENGTH];
    private final byte[] element = new byte[DIGEST_LENGTH];
    private final HashFlyweight hashView;
    private final SetFlyweight setView;
    private final Quicklist listView;
    private final ZsetFlyweight zsetView;
    private final io.keelkv.engine.text.DoubleFormat doubleFormat = new io.keelkv.engine.text.DoubleFormat();
    private final byte[] scoreText = new byte[io.keelkv.engine.text.DoubleFormat.MAX_LENGTH];
    private final byte[] digits = new byte[24];
    private final byte[] word = new byte[4];
    private final Database.EntryVisitor addKey = this::addKey;
    private byte[] target;

    public Digest(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.hashView = new HashFlyweight(memory);
        this.setView = new SetFlyweight(memory);
        this.listView = new Quicklist(memory);
        this.zsetView = new ZsetFlyweight(memory);
        try
        {
            sha1 = MessageDigest.getInstance("SHA-1");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-1 is required of every Java platform", ex);
        }
    }

    /** Redis's computeDatasetDigest into {@code out} (20 bytes): all zeros for an empty dataset. */
    public void dataset(final Keyspace keyspace, final byte[] out)
    {
        Arrays.fill(out, 0, DIGEST_LENGTH, (byte)0);
        for (int i = 0; i < keyspace.databaseCount(); i++)
        {
            final Database db = keyspace.database(i);
            if (db.size() == 0)
            {
                continue;
            }
            // the db number first, so that the same keys in another db give another digest
            mixDigest(out, bigEndian(i));
            target = out;
            db.forEach(addKey);
        }
        target = null;
    }

    /** Redis's xorObjectDigest of one entry onto a zero digest: DEBUG DIGEST-VALUE. */
    public void value(final long entryHandle, final byte[] out)
    {
        Arrays.fill(out, 0, DIGEST_LENGTH, (byte)0);
        mixValue(out, entryHandle);
    }

    private void addKey(final long entryHandle)
    {
        Arrays.fill(keyDigest, (byte)0);
        entry.wrap(entryHandle);
        xorRange(keyDigest, entry.keyHandle(), entry.keyLength());
        feedback(keyDigest);
        mixValue(keyDigest, entryHandle);
        sha1.update(keyDigest, 0, DIGEST_LENGTH);
        finishXor(target);
    }

    private void mixValue(final byte[] digest, final long entryHandle)
    {
        entry.wrap(entryHandle);
        mixDigest(digest, bigEndian(entry.type()));
        final int type = entry.type();
        final boolean hasExpire = entry.hasExpire();
        if (type == ObjectType.STRING)
        {
            xorRange(digest, entry.valueHandle(), entry.valueLength());
            feedback(digest);
        }
        else if (type == ObjectType.HASH)
        {
            // per field: element = mix(mix(0, field), value); xor(digest, element) (the pairs in any order)
            hashView.wrap(entryHandle);
            for (long field = hashView.first(); field != HashFlyweight.NONE; field = hashView.next(field))
            {
                Arrays.fill(element, (byte)0);
                mixLoaded(element, hashView.loadField(field));
                mixLoaded(element, hashView.loadValue(field));
                sha1.update(element, 0, DIGEST_LENGTH);
                finishXor(digest);
            }
        }
        else if (type == ObjectType.SET)
        {
            // per member: xorDigest(digest, member), digest ^= sha1(member) (in any order); an intset's
            // members as their decimal text, as Redis's setTypeNextObject gives them
            setView.wrap(entryHandle);
            for (long member = setView.first(); member != SetFlyweight.NONE; member = setView.next(member))
            {
                setView.load(member);
                if (setView.isInteger())
                {
                    sha1.update(digits, 0, HashFlyweight.formatLong(setView.integer(), digits));
                }
                else
                {
                    feedAddress(setView.address(), setView.stringLength());
                }
                finishXor(digest);
            }
        }
        else if (type == ObjectType.LIST)
        {
            // mixStringObjectDigest of each element in order (integers as their decimal text)
            listView.wrap(memory.getLong(entry.valueHandle()));
            for (boolean more = listView.first(); more; more = listView.next())
            {
                listView.load();
                if (listView.isInteger())
                {
                    sha1.update(digits, 0, HashFlyweight.formatLong(listView.integer(), digits));
                }
                else
                {
                    feedAddress(listView.address(), listView.stringLength());
                }
                finishXor(digest);
                feedback(digest);
            }
        }
        else if (type == ObjectType.ZSET)
        {
            // per element: element = mix(mix(0, member), "%.17g" of the score); xor(digest, element), any order
            zsetView.wrap(entryHandle);
            for (boolean more = zsetView.seek(0); more; more = zsetView.next())
            {
                Arrays.fill(element, (byte)0);
                zsetView.loadMember();
                if (zsetView.isInteger())
                {
                    sha1.update(digits, 0, HashFlyweight.formatLong(zsetView.integer(), digits));
                }
                else
                {
                    feedAddress(zsetView.address(), zsetView.stringLength());
                }
                finishXor(element);
                feedback(element);
                sha1.update(scoreText, 0, doubleFormat.format(zsetView.cursorScore(), scoreText));
                finishXor(element);
                feedback(element);
                sha1.update(element, 0, DIGEST_LENGTH);
                finishXor(digest);
            }
        }
        // the other collection types will mix their elements here, each as Redis's xorObjectDigest does for it
        if (hasExpire)
        {
            sha1.update(EXPIRE_MARK, 0, EXPIRE_MARK.length);
            finishXor(digest);
        }
    }

    /** mixDigest of a loaded collection element: an integer as its decimal text, as Redis's iterators give it. */
    private void mixLoaded(final byte[] digest, final HashFlyweight loaded)
    {
        if (loaded.isInteger())
        {
            final byte[] text = Long.toString(loaded.integer()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            sha1.update(text, 0, text.length);
        }
        else
        {
            feedAddress(loaded.address(), loaded.stringLength());
        }
        finishXor(digest);
        feedback(digest);
    }

    /** Feed {@code length} bytes at a raw page memory address to the pending SHA-1, in chunks. */
    private void feedAddress(final long address, final int length)
    {
        for (int done = 0; done < length; )
        {
            final int n = Math.min(CHUNK_BYTES, length - done);
            UnsafeApi.copyMemory(null, address + done, chunk, BYTE_BASE, n);
            sha1.update(chunk, 0, n);
            done += n;
        }
    }

    /** digest = sha1(digest ^ sha1(bytes)) */
    private void mixDigest(final byte[] digest, final byte[] bytes)
    {
        sha1.update(bytes, 0, bytes.length);
        finishXor(digest);
        feedback(digest);
    }

    /** Hash a page memory range into the pending SHA-1, in chunks, then digest ^= the result. */
    private void xorRange(final byte[] digest, final long handle, final long length)
    {
        for (long done = 0; done < length; )
        {
            final int n = (int)Math.min(CHUNK_BYTES, length - done);
            memory.getBytes(handle + done, chunk, 0, n);
            sha1.update(chunk, 0, n);
            done += n;
        }
        finishXor(digest);
    }

    /** digest ^= sha1(whatever was fed since the last digest). */
    private void finishXor(final byte[] digest)
    {
        try
        {
            sha1.digest(hash, 0, DIGEST_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        for (int i = 0; i < DIGEST_LENGTH; i++)
        {
            digest[i] ^= hash[i];
        }
    }

    /** digest = sha1(digest): the second half of mixDigest. */
    private void feedback(final byte[] digest)
    {
        sha1.update(digest, 0, DIGEST_LENGTH);
        try
        {
            sha1.digest(digest, 0, DIGEST_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** htonl(value), as Redis mixes type and db numbers. */
    private byte[] bigEndian(final int value)
    {
        word[0] = (byte)(value >>> 24);
        word[1] = (byte)(value >>> 16);
        word[2] = (byte)(value >>> 8);
        word[3] = (byte)value;
        return word;
    }

    /** Lower-case hex into {@code out} (40 bytes), Redis's "%02x" loop, for a status reply without a String. */
    public static void hex(final byte[] digest, final byte[] out)
    {
        for (int i = 0; i < DIGEST_LENGTH; i++)
        {
            out[2 * i] = HEX[(digest[i] >>> 4) & 0xF];
            out[2 * i + 1] = HEX[digest[i] & 0xF];
        }
    }

    public static String hex(final byte[] digest)
    {
        final byte[] text = new byte[2 * DIGEST_LENGTH];
        hex(digest, text);
        return new String(text, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
