package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.text.AsciiNumbers;
import io.keelkv.engine.text.DoubleFormat;
import io.keelkv.engine.text.ExactDecimal;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * The listpack encoding of a sorted set (Redis's zzl* functions), for {@link ZsetFlyweight}, which walks both
 * encodings: the entry's value bytes are the listpack ({@link ListpackFlyweight}), member then score for each
 * element, sorted by (score, member). Both are inserted as Redis's lpInsertString does, so a member or score whose
 * text is a canonical integer is stored as an integer; a score's text is Redis 7.0.15's d2string: the integer
 * digits when the score is an integer of magnitude up to 2^62 (double2ll; -0 included, stored as 0), "inf"/"-inf",
 * else "%.17g". Scores read back are that text parsed (zzlGetScore).
 *
 * <p>Elements are named by their member's offset in the listpack. Range lookups walk as Redis's zzlFirstInRange
 * and friends do (a listpack is at most a few KB), so even a lex range over members of different scores gives
 * Redis's answer.
 *
 * <p>Writes keep the entry's value length equal to the listpack's total bytes, as {@link HashFlyweight} does: a
 * write that grows it first grows the entry ({@link Keyspace#resizeValue}, which needs the key to be the
 * database's found entry) and only then changes bytes, so running out of memory leaves the set unchanged.
 * Offsets are the listpack's own, so they stay valid when the entry moves.
 */
final class ZsetListpack
{
    static final int NO = ListpackFlyweight.NONE;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    /** d2string's integer path (double2ll): |value| up to (double)(LLONG_MAX / 2), which is 2^62. */
    private static final double INTEGER_LIMIT = (double)(Long.MAX_VALUE / 2);

    private final EntryFlyweight entry;
    private final PageRegion region;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private final DoubleFormat doubleFormat = new DoubleFormat();
    private final byte[] scoreText = new byte[DoubleFormat.MAX_LENGTH];
    private final UnsafeBuffer scoreBuffer = new UnsafeBuffer(scoreText);
    private final UnsafeBuffer memberBuffer = new UnsafeBuffer(new byte[0]);
    private final byte[] digits = new byte[24];
    private long entryHandle = NULL_HANDLE;

    // the member decoded by load
    private boolean memberInteger;
    private long memberValue;
    private long memberAddress;
    private int memberLength;

    ZsetListpack(final PageMemory memory)
    {
        this.entry = new EntryFlyweight(memory);
        this.region = new PageRegion(memory);
    }

    /** Point at the listpack sorted set in entry {@code entryHandle} (the caller checked type and encoding). */
    ZsetListpack wrap(final long entryHandle)
    {
        this.entryHandle = entryHandle;
        entry.wrap(entryHandle);
        region.wrap(entry.valueHandle(), entry.valueLength());
        listpack.wrap(region);
        return this;
    }

    /** The entry, which a write may have moved. */
    long entryHandle()
    {
        return entryHandle;
    }

    /** Members (the listpack's elements are pairs). */
    long count()
    {
        return listpack.count() >>> 1;
    }

    // ------------------------------------------------------------------------------------------------
    // lookups and walking

    /** zzlFind: the member's offset, or {@link #NO}. */
    int find(final Object base, final long address, final int length)
    {
        final int first = listpack.first();
        if (first == NO)
        {
            return NO;
        }
        wrapMember(base, address, length);
        return listpack.find(first, memberBuffer, 0, length, 1);
    }

    /** The member's 0-based rank, or -1. */
    long rank(final Object base, final long address, final int length)
    {
        wrapMember(base, address, length);
        long rank = 0;
        for (int p = listpack.first(); p != NO; p = listpack.next(listpack.next(p)), rank++)
        {
            if (listpack.equalsBytes(p, memberBuffer, 0, length))
            {
                return rank;
            }
        }
        return -1;
    }

    private void wrapMember(final Object base, final long address, final int length)
    {
        if (base == null)
        {
            memberBuffer.wrap(address, length);
        }
        else
        {
            memberBuffer.wrap((byte[])base, (int)(address - BYTE_BASE), length);
        }
    }

    /** The member at {@code rank} (in range), by lpSeek. */
    int seek(final long rank)
    {
        return listpack.seek(rank * 2);
    }

    /** The member after the one at {@code p}, or {@link #NO}. */
    int next(final int p)
    {
        return listpack.next(listpack.next(p));
    }

    /** The member before the one at {@code p}, or {@link #NO}. */
    int previous(final int p)
    {
        final int score = listpack.prev(p);
        return score == NO ? NO : listpack.prev(score);
    }

    /** The score of the member at {@code p}. */
    double score(final int p)
    {
        return scoreAt(listpack.next(p));
    }

    /** Decode the member at {@code p}: an integer ({@link #isInteger}), or bytes at a raw address. */
    void load(final int p)
    {
        listpack.load(p);
        memberInteger = listpack.isInteger();
        if (memberInteger)
        {
            memberValue = listpack.integer();
            memberAddress = 0;
            memberLength = 0;
        }
        else
        {
            memberValue = 0;
            memberAddress = entry.valueAddress() + listpack.stringOffset();
            memberLength = listpack.stringLength();
        }
    }

    boolean isInteger()
    {
        return memberInteger;
    }

    long integer()
    {
        return memberValue;
    }

    long address()
    {
        return memberAddress;
    }

    int length()
    {
        return memberLength;
    }

    /** sdscmp of the loaded member with the bytes. */
    private int compareLoaded(final Object base, final long address, final int length)
    {
        if (memberInteger)
        {
            final int n = HashFlyweight.formatLong(memberValue, digits);
            return ZsetRange.compare(digits, BYTE_BASE, n, base, address, length);
        }
        return ZsetRange.compare(null, memberAddress, memberLength, base, address, length);
    }

    private boolean loadedGteMin(final ZsetRange range)
    {
        if (memberInteger)
        {
            return range.lexGteMin(digits, BYTE_BASE, HashFlyweight.formatLong(memberValue, digits));
        }
        return range.lexGteMin(null, memberAddress, memberLength);
    }

    private boolean loadedLteMax(final ZsetRange range)
    {
        if (memberInteger)
        {
            return range.lexLteMax(digits, BYTE_BASE, HashFlyweight.formatLong(memberValue, digits));
        }
        return range.lexLteMax(null, memberAddress, memberLength);
    }

    /** The member at {@code p} is at or above the lex range's minimum (zzlLexValueGteMin). */
    boolean lexGteMin(final int p, final ZsetRange range)
    {
        load(p);
        return loadedGteMin(range);
    }

    /** The member at {@code p} is at or below the lex range's maximum (zzlLexValueLteMax). */
    boolean lexLteMax(final int p, final ZsetRange range)
    {
        load(p);
        return loadedLteMax(range);
    }

    // ------------------------------------------------------------------------------------------------
    // ranges (Redis's zzlFirstInRange and friends: the rank of the first or last element in the range, or -1)

    /** zzlIsInRange: the range is not empty, the last score is >= min and the first <= max. */
    private boolean inScoreRange(final ZsetRange range)
    {
        return !range.scoreRangeEmpty() && listpack.first() != NO && range.scoreGteMin(scoreAt(listpack.last())) &&
            range.scoreLteMax(scoreAt(listpack.next(listpack.first())));
    }

    long firstInScoreRange(final ZsetRange range)
    {
        if (!inScoreRange(range))
        {
            return -1;
        }
        long rank = 0;
        for (int p = listpack.first(); p != NO; p = next(p), rank++)
        {
            final double score = score(p);
            if (range.scoreGteMin(score))
            {
                return range.scoreLteMax(score) ? rank : -1;
            }
        }
        return -1;
    }

    long lastInScoreRange(final ZsetRange range)
    {
        if (!inScoreRange(range))
        {
            return -1;
        }
        long rank = count() - 1;
        for (int p = listpack.prev(listpack.last()); p != NO; p = previous(p), rank--)
        {
            final double score = score(p);
            if (range.scoreLteMax(score))
            {
                return range.scoreGteMin(score) ? rank : -1;
            }
        }
        return -1;
    }

    long firstInLexRange(final ZsetRange range)
    {
        if (!inLexRange(range))
        {
            return -1;
        }
        long rank = 0;
        for (int p = listpack.first(); p != NO; p = next(p), rank++)
        {
            load(p);
            if (loadedGteMin(range))
            {
                return loadedLteMax(range) ? rank : -1;
            }
        }
        return -1;
    }

    long lastInLexRange(final ZsetRange range)
    {
        if (!inLexRange(range))
        {
            return -1;
        }
        long rank = count() - 1;
        for (int p = listpack.prev(listpack.last()); p != NO; p = previous(p), rank--)
        {
            load(p);
            if (loadedLteMax(range))
            {
                return loadedGteMin(range) ? rank : -1;
            }
        }
        return -1;
    }

    /** zzlIsInLexRange: the range is not empty, the last member is >= min and the first <= max. */
    private boolean inLexRange(final ZsetRange range)
    {
        if (range.lexRangeEmpty() || listpack.first() == NO)
        {
            return false;
        }
        load(listpack.prev(listpack.last()));
        if (!loadedGteMin(range))
        {
            return false;
        }
        load(listpack.first());
        return loadedLteMax(range);
    }

    // ------------------------------------------------------------------------------------------------
    // writes (the entry must be db's found entry: a lookupWrite of its key, with no other lookup since)

    /** A new, empty listpack sorted set under the key just missed on {@code db}: the entry, or NULL_HANDLE (OOM). */
    long create(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength)
    {
        final long e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.ZSET,
            ObjectType.ENCODING_LISTPACK, ListpackDescriptor.EMPTY_LENGTH, -1);
        if (e == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        entry.wrap(e);
        region.wrap(entry.valueHandle(), entry.valueLength());
        listpack.wrap(region).init();
        return wrap(e).entryHandle;
    }

    /** zzlInsert: the pair at its place in (score, member) order; false when memory ran out (unchanged). */
    boolean insert(final Keyspace keyspace, final Database db, final double score, final Object base,
        final long address, final int length)
    {
        final int scoreLength = d2string(score, scoreText);
        wrapMember(base, address, length);
        final int total = listpack.totalBytes();
        final long after = listpack.sizeAfterInsert(memberBuffer, 0, length) +
            listpack.sizeAfterInsert(scoreBuffer, 0, scoreLength) - total;
        if (after > entry.valueLength() && !resize(keyspace, db, after, total))
        {
            return false;
        }
        wrapMember(base, address, length);
        int p = listpack.first();
        while (p != NO)
        {
            final int s = listpack.next(p);
            final double existing = scoreAt(s);
            if (existing > score)
            {
                break;
            }
            if (existing == score)
            {
                load(p);
                if (compareLoaded(base, address, length) > 0)
                {
                    break;
                }
            }
            p = listpack.next(s);
        }
        if (p == NO)
        {
            listpack.append(memberBuffer, 0, length);
            listpack.append(scoreBuffer, 0, scoreLength);
        }
        else
        {
            final int member = listpack.insert(p, ListpackFlyweight.BEFORE, memberBuffer, 0, length);
            listpack.insert(member, ListpackFlyweight.AFTER, scoreBuffer, 0, scoreLength);
        }
        return true;
    }

    /** zzlDelete + zzlInsert of the member at {@code at} whose score changes; room for the new score first. */
    boolean update(final Keyspace keyspace, final Database db, final int at, final double score,
        final Object base, final long address, final int length)
    {
        final int scoreLength = d2string(score, scoreText);
        final int total = listpack.totalBytes();
        final long after = listpack.sizeAfterReplace(listpack.next(at), scoreBuffer, 0, scoreLength);
        if (after > entry.valueLength() && !resize(keyspace, db, after, total))
        {
            return false;
        }
        listpack.delete(listpack.delete(at));
        if (!insert(keyspace, db, score, base, address, length))
        {
            throw new IllegalStateException("a score update lost its room");
        }
        fit(keyspace, db);
        return true;
    }

    /** zzlDelete of the member at {@code at}. */
    void delete(final Keyspace keyspace, final Database db, final int at)
    {
        listpack.delete(listpack.delete(at));
        fit(keyspace, db);
    }

    /** zzlDeleteRangeByRank of {@code count} members from rank {@code start} (both in range). */
    void deleteRange(final Keyspace keyspace, final Database db, final long start, final long count)
    {
        listpack.deleteRange(start * 2, count * 2);
        fit(keyspace, db);
    }

    /** Shrink the entry to the listpack's bytes (never fails: the entry may stay where it is). */
    private void fit(final Keyspace keyspace, final Database db)
    {
        final int total = listpack.totalBytes();
        if (total != entry.valueLength())
        {
            resize(keyspace, db, total, total);
        }
    }

    private boolean resize(final Keyspace keyspace, final Database db, final long bytes, final long keep)
    {
        final long moved = keyspace.resizeValue(db, bytes, keep);
        if (moved == NULL_HANDLE)
        {
            return false;
        }
        wrap(moved);
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // scores

    /** zzlGetScore: the score element at {@code p} (an integer, or the text of a double). */
    private double scoreAt(final int p)
    {
        listpack.load(p);
        if (listpack.isInteger())
        {
            return listpack.integer();
        }
        final long address = entry.valueAddress() + listpack.stringOffset();
        // "%.17g" without an exponent is read with no allocation; "inf" and exponent forms take the general parser
        double value = ExactDecimal.parse(null, address, listpack.stringLength());
        if (Double.isNaN(value))
        {
            value = AsciiNumbers.parseDouble(null, address, listpack.stringLength());
        }
        if (Double.isNaN(value))
        {
            throw new IllegalStateException("zset " + entryHandle + " holds a score that is not a number at " + p);
        }
        return value;
    }

    /**
     * Redis 7.0.15's d2string, as zzlInsertAt formats a score: returns the text's length in {@code out}. An
     * integral score within double2ll's range takes the integer path (-0 too: stored as 0, so ZSCORE then replies
     * "0", as redis-server's does); anything else is "%.17g" ("inf", "-inf" included).
     */
    int d2string(final double value, final byte[] out)
    {
        if (value >= -INTEGER_LIMIT && value <= INTEGER_LIMIT && value == (double)(long)value)
        {
            return HashFlyweight.formatLong((long)value, out);
        }
        return doubleFormat.format(value, out);
    }
}
