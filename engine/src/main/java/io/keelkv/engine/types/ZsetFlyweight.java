package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * A view over one sorted-set value (Redis's t_zset.c over an entry of type {@link ObjectType#ZSET}), re-pointed
 * with {@link #wrap}, never allocated per call: the commands, DEBUG DIGEST, the AOF rewrite, COPY and MEMORY USAGE
 * read sorted sets through it, so both encodings are walked in one place.
 *
 * <p>Encodings, as Redis 7.0 chooses them. {@code listpack} ({@link ZsetListpack}): the entry's value bytes are
 * the listpack, member and score pairs in (score, member) order. {@code skiplist} ({@link ZsetSkiplist}): the value
 * is the 8-byte handle of a root block holding a member-to-score {@link PagedDict} and a {@link ScoreTree}, which
 * own their blocks (released by {@link LazyFree} when the key goes). A listpack converts ({@link
 * #convertToSkiplist}) where Redis's zsetAdd does: {@link #add} reports {@link #NEEDS_CONVERSION} for a new member
 * that would pass zset-max-listpack-entries or -value, and the caller converts and adds again. Never back.
 *
 * <p>Elements are named by rank (0 = lowest score). The cursor ({@link #seek}, {@link #next}, {@link #previous})
 * walks in rank order; {@link #loadMember} decodes the cursor's member into this flyweight (an integer, listpack
 * only, or a byte range in page memory valid until the next write) and {@link #cursorScore} reads its score. A
 * write invalidates the cursor. Member arguments arrive as (base, address, length): a heap array and its Unsafe
 * offset, or null and a raw address.
 */
public final class ZsetFlyweight implements ScannableCollection
{
    // zsetAdd's input flags
    public static final int IN_INCR = 1;
    public static final int IN_NX = 2;
    public static final int IN_XX = 4;
    public static final int IN_GT = 8;
    public static final int IN_LT = 16;
    // add()'s results
    public static final int OUT_NOP = 0;
    public static final int OUT_ADDED = 1;
    public static final int OUT_UPDATED = 2;
    /** Kept, nothing changed (an update to the same score). */
    public static final int OUT_SAME = 3;
    public static final int OUT_NAN = -1;
    public static final int OUT_OOM = -2;
    /** A new member would pass zset-max-listpack-entries or -value: the caller converts, then adds again. */
    public static final int NEEDS_CONVERSION = -3;
    /** A skiplist value: its root's handle. */
    public static final int ROOT_BYTES = 8;

    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final int NO = ZsetListpack.NO;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final ZsetListpack small;
    private final ZsetSkiplist big;
    private final byte[] digits = new byte[24];
    private long entryHandle = NULL_HANDLE;
    private boolean skiplist;

    // the cursor: a listpack member's offset, or the tree's cursor; and its rank
    private int cursor = NO;
    private ScoreTree.Cursor treeCursor;
    private long cursorRank = -1;

    // the member of the last find: what deleteFound deletes (a listpack offset, or the skiplist's member and score)
    private int found = NO;
    private Object foundBase;
    private long foundAddress;
    private int foundLength;
    private double foundScore = Double.NaN;

    // the member decoded by loadMember
    private boolean memberInteger;
    private long memberValue;
    private long memberAddress;
    private int memberLength;
    private double newScore;

    public ZsetFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.small = new ZsetListpack(memory);
        this.big = new ZsetSkiplist(memory);
    }

    /** Point at the sorted set in entry {@code entryHandle}. */
    public ZsetFlyweight wrap(final long entryHandle)
    {
        this.entryHandle = entryHandle;
        entry.wrap(entryHandle);
        if (entry.type() != ObjectType.ZSET)
        {
            throw new IllegalStateException("entry " + entryHandle + " holds type " + entry.type() + ", not a zset");
        }
        cursor = NO;
        treeCursor = null;
        found = NO;
        foundScore = Double.NaN;
        switch (entry.encoding())
        {
            case ObjectType.ENCODING_LISTPACK:
                skiplist = false;
                small.wrap(entryHandle);
                break;
            case ObjectType.ENCODING_SKIPLIST:
                if (entry.valueLength() != ROOT_BYTES)
                {
                    throw new IllegalStateException("skiplist zset " + entryHandle + " has a value of " +
                        entry.valueLength() + " bytes, not a root handle");
                }
                skiplist = true;
                big.wrap(memory.getLong(entry.valueHandle()));
                break;
            default:
                throw new IllegalStateException("zset " + entryHandle + " has encoding " + entry.encoding());
        }
        return this;
    }

    public long entryHandle()
    {
        return entryHandle;
    }

    public int encoding()
    {
        return skiplist ? ObjectType.ENCODING_SKIPLIST : ObjectType.ENCODING_LISTPACK;
    }

    public boolean isSkiplist()
    {
        return skiplist;
    }

    /** ZSCAN's question: the skiplist encoding is scanned by its dict's cursor. */
    @Override
    public boolean isHashtable()
    {
        return skiplist;
    }

    /** Resizing of the skiplist's dict pauses while a snapshot runs (see {@link PagedDict}); the commands tell it. */
    public void snapshotRunning(final boolean running)
    {
        big.snapshotRunning(running);
    }

    /** ZCARD. */
    public long length()
    {
        return skiplist ? big.size() : small.count();
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** The score of the member (zsetScore), NaN when absent; a hit is remembered for {@link #deleteFound}. */
    public double score(final Object base, final long address, final int length)
    {
        if (skiplist)
        {
            foundScore = big.score(base, address, length);
            foundBase = base;
            foundAddress = address;
            foundLength = length;
            return foundScore;
        }
        found = small.find(base, address, length);
        return found == NO ? Double.NaN : small.score(found);
    }

    /** The member's 0-based rank in ascending order (zsetRank), or -1 when absent. */
    public long rank(final Object base, final long address, final int length)
    {
        return skiplist ? big.rank(base, address, length) : small.rank(base, address, length);
    }

    // ------------------------------------------------------------------------------------------------
    // the cursor

    /** Position the cursor at {@code rank}; false (and invalid) when out of range. */
    public boolean seek(final long rank)
    {
        cursor = NO;
        treeCursor = null;
        if (rank < 0 || rank >= length())
        {
            return false;
        }
        cursorRank = rank;
        if (skiplist)
        {
            treeCursor = big.seek(rank);
            return true;
        }
        cursor = small.seek(rank);
        return cursor != NO;
    }

    public boolean valid()
    {
        return skiplist ? treeCursor != null && treeCursor.valid() : cursor != NO;
    }

    public long cursorRank()
    {
        return cursorRank;
    }

    /** To the next rank; false (and invalid) past the end. */
    public boolean next()
    {
        cursorRank++;
        if (skiplist)
        {
            return treeCursor != null && treeCursor.next();
        }
        cursor = cursor == NO ? NO : small.next(cursor);
        return cursor != NO;
    }

    /** To the previous rank; false (and invalid) before the start. */
    public boolean previous()
    {
        cursorRank--;
        if (skiplist)
        {
            return treeCursor != null && treeCursor.previous();
        }
        cursor = cursor == NO ? NO : small.previous(cursor);
        return cursor != NO;
    }

    public double cursorScore()
    {
        return skiplist ? big.cursorScore(treeCursor) : small.score(cursor);
    }

    /** Decode the cursor's member: see {@link #isInteger}, {@link #address}. */
    public ZsetFlyweight loadMember()
    {
        if (skiplist)
        {
            loadString(treeCursor.memberAddress(), treeCursor.memberLength());
        }
        else
        {
            small.load(cursor);
            memberInteger = small.isInteger();
            memberValue = small.integer();
            memberAddress = small.address();
            memberLength = small.length();
        }
        return this;
    }

    private void loadString(final long address, final int length)
    {
        memberInteger = false;
        memberValue = 0;
        memberAddress = address;
        memberLength = length;
    }

    @Override
    public boolean isInteger()
    {
        return memberInteger;
    }

    @Override
    public long integer()
    {
        return memberValue;
    }

    @Override
    public long address()
    {
        return memberAddress;
    }

    @Override
    public int stringLength()
    {
        return memberLength;
    }

    /** The cursor's member is at or above the lex range's minimum (zslLexValueGteMin). */
    public boolean cursorLexGteMin(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.lexGteMin(cursor, range);
        }
        return range.lexGteMin(null, treeCursor.memberAddress(), treeCursor.memberLength());
    }

    /** The cursor's member is at or below the lex range's maximum (zslLexValueLteMax). */
    public boolean cursorLexLteMax(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.lexLteMax(cursor, range);
        }
        return range.lexLteMax(null, treeCursor.memberAddress(), treeCursor.memberLength());
    }

    // ------------------------------------------------------------------------------------------------
    // ScannableCollection: a listpack's positions are ranks (answered at once); a skiplist's, dict elements

    @Override
    public long scan(final long cursor, final PagedDict.ElementVisitor visitor)
    {
        if (!skiplist)
        {
            throw new IllegalStateException("a listpack sorted set is not scanned by cursor");
        }
        return big.scan(cursor, visitor);
    }

    @Override
    public long first()
    {
        return length() == 0 ? NONE : 0;
    }

    @Override
    public long next(final long position)
    {
        return position + 1 < length() ? position + 1 : NONE;
    }

    @Override
    public void loadKey(final long position)
    {
        if (skiplist)
        {
            final DictElementFlyweight element = big.element(position);
            loadString(element.fieldAddress(), element.fieldLength());
            return;
        }
        seek(position);
        loadMember();
    }

    /** The score at a scan position. */
    public double scanScore(final long position)
    {
        if (skiplist)
        {
            return big.elementScore(position);
        }
        seek(position);
        return cursorScore();
    }

    // ------------------------------------------------------------------------------------------------
    // ranges: the rank of the first or last element in the range, or -1 (Redis's zslFirstInRange and friends)

    public long firstInScoreRange(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.firstInScoreRange(range);
        }
        if (range.scoreRangeEmpty())
        {
            return -1;
        }
        final long first = big.countBelowScore(range.min, range.minExclusive);
        return seek(first) && range.scoreLteMax(cursorScore()) ? first : -1;
    }

    public long lastInScoreRange(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.lastInScoreRange(range);
        }
        if (range.scoreRangeEmpty())
        {
            return -1;
        }
        final long last = big.countBelowScore(range.max, !range.maxExclusive) - 1;
        return seek(last) && range.scoreGteMin(cursorScore()) ? last : -1;
    }

    public long firstInLexRange(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.firstInLexRange(range);
        }
        if (range.lexRangeEmpty())
        {
            return -1;
        }
        final long first = range.minKind == ZsetRange.LEX_MIN ? 0 : range.minKind == ZsetRange.LEX_MAX ? length() :
            big.countBelowMember(range.minBase, range.minAddress, range.minLength,
                range.minKind == ZsetRange.LEX_EXCLUSIVE);
        return seek(first) && cursorLexLteMax(range) ? first : -1;
    }

    public long lastInLexRange(final ZsetRange range)
    {
        if (!skiplist)
        {
            return small.lastInLexRange(range);
        }
        if (range.lexRangeEmpty())
        {
            return -1;
        }
        final long last = (range.maxKind == ZsetRange.LEX_MAX ? length() : range.maxKind == ZsetRange.LEX_MIN ? 0 :
            big.countBelowMember(range.maxBase, range.maxAddress, range.maxLength,
                range.maxKind != ZsetRange.LEX_EXCLUSIVE)) - 1;
        return seek(last) && cursorLexGteMin(range) ? last : -1;
    }

    // ------------------------------------------------------------------------------------------------
    // writes (the entry must be db's found entry: a lookupWrite of its key, with no other lookup since)

    /**
     * A new, empty listpack sorted set under the key just missed by a lookup on {@code db}.
     *
     * @return the entry handle, or NULL_HANDLE when memory is exhausted.
     */
    public long create(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength)
    {
        final long e = small.create(keyspace, db, keyBase, keyAddress, keyLength);
        return e == NULL_HANDLE ? NULL_HANDLE : wrap(e).entryHandle;
    }

    /**
     * zsetAdd: add the member or update its score under Redis's flags, after {@link #wrap} of db's found entry.
     * A new member that would take a listpack past {@code maxEntries} members or is longer than {@code maxValue}
     * bytes is not added: {@link #NEEDS_CONVERSION}, nothing changed.
     *
     * @return {@link #OUT_ADDED}, {@link #OUT_UPDATED}, {@link #OUT_SAME} (present, same score), {@link #OUT_NOP}
     *         (refused by NX/XX/GT/LT), {@link #OUT_NAN} (an increment gave NaN), {@link #OUT_OOM} (unchanged) or
     *         {@link #NEEDS_CONVERSION}; {@link #newScore} is the score after an add or update.
     */
    public int add(final Keyspace keyspace, final Database db, final double score, final Object base,
        final long address, final int length, final int flags, final long maxEntries, final long maxValue)
    {
        if (Double.isNaN(score))
        {
            return OUT_NAN;
        }
        cursor = NO;
        treeCursor = null;
        final double current = score(base, address, length);
        if (!Double.isNaN(current))
        {
            if ((flags & IN_NX) != 0)
            {
                return OUT_NOP;
            }
            double updated = score;
            if ((flags & IN_INCR) != 0)
            {
                updated += current;
                if (Double.isNaN(updated))
                {
                    return OUT_NAN;
                }
            }
            if (((flags & IN_LT) != 0 && updated >= current) || ((flags & IN_GT) != 0 && updated <= current))
            {
                return OUT_NOP;
            }
            newScore = updated;
            if (updated == current)
            {
                return OUT_SAME;
            }
            final boolean done = skiplist ? big.update(current, updated, base, address, length) == ZsetSkiplist.OK :
                small.update(keyspace, db, found, updated, base, address, length);
            entryHandle = skiplist ? entryHandle : small.entryHandle();
            return done ? OUT_UPDATED : OUT_OOM;
        }
        if ((flags & IN_XX) != 0)
        {
            return OUT_NOP;
        }
        if (!skiplist && (length() + 1 > maxEntries || length > maxValue))
        {
            return NEEDS_CONVERSION;
        }
        final boolean done = skiplist ? big.insert(score, base, address, length) == ZsetSkiplist.OK :
            small.insert(keyspace, db, score, base, address, length);
        entryHandle = skiplist ? entryHandle : small.entryHandle();
        if (!done)
        {
            return OUT_OOM;
        }
        newScore = score;
        return OUT_ADDED;
    }

    /** The score after the last {@link #add} that added or updated. */
    public double newScore()
    {
        return newScore;
    }

    /** Delete the member found by the last {@link #score}; the caller deletes an emptied key. */
    public void deleteFound(final Keyspace keyspace, final Database db)
    {
        cursor = NO;
        treeCursor = null;
        if (skiplist)
        {
            if (Double.isNaN(foundScore))
            {
                throw new IllegalStateException("no member was found to delete");
            }
            big.delete(foundScore, foundBase, foundAddress, foundLength);
            foundScore = Double.NaN;
            return;
        }
        if (found == NO)
        {
            throw new IllegalStateException("no member was found to delete");
        }
        small.delete(keyspace, db, found);
        entryHandle = small.entryHandle();
        found = NO;
    }

    /** Delete {@code count} elements from rank {@code start} (zremrangeGeneric by rank); returns how many. */
    public long deleteRange(final Keyspace keyspace, final Database db, final long start, final long count)
    {
        final long n = length();
        if (start < 0 || start >= n || count <= 0)
        {
            return 0;
        }
        final long deleted = Math.min(count, n - start);
        cursor = NO;
        treeCursor = null;
        found = NO;
        if (skiplist)
        {
            big.deleteRange(start, deleted);
        }
        else
        {
            small.deleteRange(keyspace, db, start, deleted);
            entryHandle = small.entryHandle();
        }
        return deleted;
    }

    /**
     * zsetConvert from listpack to skiplist, after {@link #wrap} of db's found entry: a dict and a tree holding
     * every element, then the entry's value becomes the root's handle. Bounded by the listpack limits.
     *
     * @return false when memory ran out (the set is then unchanged, still a listpack).
     */
    public boolean convertToSkiplist(final Keyspace keyspace, final Database db)
    {
        if (skiplist)
        {
            return true;
        }
        final long root = big.create();
        if (root == NULL_HANDLE)
        {
            return false;
        }
        for (int p = small.seek(0); p != NO; p = small.next(p))
        {
            // the dict's and tree's allocations never move the entry, so the listpack's addresses stay valid
            final double score = small.score(p);
            small.load(p);
            final boolean integer = small.isInteger();
            final int length = integer ? HashFlyweight.formatLong(small.integer(), digits) : small.length();
            if (big.insert(score, integer ? digits : null, integer ? BYTE_BASE : small.address(), length) !=
                ZsetSkiplist.OK)
            {
                big.free(root);
                return false;
            }
        }
        final long moved = keyspace.resizeValue(db, ROOT_BYTES, 0);
        if (moved == NULL_HANDLE)
        {
            big.free(root);
            return false;
        }
        entry.wrap(moved);
        memory.putLong(entry.valueHandle(), root);
        entry.encoding(ObjectType.ENCODING_SKIPLIST);
        wrap(moved);
        return true;
    }

    /** A copy of this skiplist set's root, dict and tree (COPY), or NULL_HANDLE when memory ran out. */
    public long copySkiplist()
    {
        return big.copy();
    }

    /** Free a root made by {@link #copySkiplist} that no key took (all at once). */
    public void freeSkiplist(final long root)
    {
        big.free(root);
    }

    /** MEMORY USAGE's part outside the entry (skiplist only; see {@link ZsetSkiplist#bytesUsed}). */
    public long skiplistBytes(final long samples)
    {
        return big.bytesUsed(samples);
    }

    /** Redis 7.0.15's d2string: a score as a listpack stores it (see {@link ZsetListpack}). */
    public int d2string(final double value, final byte[] out)
    {
        return small.d2string(value, out);
    }
}
