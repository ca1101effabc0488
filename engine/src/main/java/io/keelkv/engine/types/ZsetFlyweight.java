package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.DoubleFormat;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * A view over one sorted-set value (Redis's t_zset.c over an entry of type {@link ObjectType#ZSET}), re-pointed
 * with {@link #wrap}, never allocated per call: the commands, DEBUG DIGEST, the AOF rewrite and COPY read sorted
 * sets through it, so each encoding is walked in one place.
 *
 * <p>Encoding {@code listpack}, as Redis 7.0 lays it out: the entry's value bytes are the listpack
 * ({@link ListpackFlyweight}), member then score for each element, sorted by (score, member). Both are inserted
 * as Redis's lpInsertString does, so a member or score whose text is a canonical integer is stored as an
 * integer; a score's text is Redis 7.0.15's d2string: the integer digits when the score is an integer of
 * magnitude up to 2^62 (double2ll; -0 included, stored as 0), "inf"/"-inf", else "%.17g". Scores read back
 * are that text parsed (zzlGetScore).
 *
 * <p>Elements are named by rank (0 = lowest score). The cursor ({@link #seek}, {@link #next}, {@link #previous})
 * walks in rank order; {@link #loadMember} decodes the cursor's member into this flyweight (an integer, or a byte
 * range in page memory valid until the next write) and {@link #cursorScore} reads its score. A write invalidates
 * the cursor.
 *
 * <p>Writes keep the listpack's entry value length equal to its total bytes, as {@link HashFlyweight} does: a
 * write that grows it first grows the entry ({@link Keyspace#resizeValue}, which needs the key to be the
 * database's found entry) and only then changes bytes, so running out of memory leaves the set unchanged.
 * Conversions are the caller's: {@link #add} reports {@link #NEEDS_CONVERSION} where Redis's zsetAdd converts.
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

    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final int NO = ListpackFlyweight.NONE;
    /** d2string's integer path (double2ll): |value| up to (double)(LLONG_MAX / 2), which is 2^62. */
    private static final double INTEGER_LIMIT = (double)(Long.MAX_VALUE / 2);
    public static final int ROOT_BYTES = 8;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final PageRegion region;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private final DoubleFormat doubleFormat = new DoubleFormat();
    private final byte[] scoreText = new byte[DoubleFormat.MAX_LENGTH];
    private final UnsafeBuffer scoreBuffer = new UnsafeBuffer(scoreText);
    private final UnsafeBuffer memberBuffer = new UnsafeBuffer(new byte[0]);
    private final byte[] digits = new byte[24];
    private final ZsetSkiplist big;
    private ScoreTree.Cursor treeCursor;
    private long entryHandle = NULL_HANDLE;
    private boolean skiplist;
    // the member of the last skiplist find: what deleteFound deletes
    private Object foundBase;
    private long foundAddress;
    private int foundLength;
    private double foundScore;

    // the cursor: a listpack member's offset and its rank
    private int cursor = NO;
    private long cursorRank = -1;
    /** The member offset of the last find (score/rank lookups): what update and delete act on. */
    private int found = NO;

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
        this.region = new PageRegion(memory);
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
        found = NO;
        treeCursor = null;
        switch (entry.encoding())
        {
            case ObjectType.ENCODING_LISTPACK:
                skiplist = false;
                region.wrap(entry.valueHandle(), entry.valueLength());
                listpack.wrap(region);
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

    /** The skiplist encoding's root block (skiplist only). */
    public long rootHandle()
    {
        return big.rootHandle();
    }

    /** ZCARD. */
    public long length()
    {
        return skiplist ? big.size() : listpack.count() >>> 1;
    }

    /** The listpack's bytes (the threshold checks of a store's result and of MEMORY USAGE). */
    public int listpackBytes()
    {
        return listpack.totalBytes();
    }

    // ------------------------------------------------------------------------------------------------
    // lookups

    /** The score of the member (zsetScore), NaN when absent; a hit is remembered for {@link #delete}. */
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
        found = findMember(base, address, length);
        return found == NO ? Double.NaN : scoreAt(listpack.next(found));
    }

    /** The member's 0-based rank in ascending order (zsetRank), or -1 when absent. */
    public long rank(final Object base, final long address, final int length)
    {
        if (skiplist)
        {
            return big.rank(base, address, length);
        }
        final int first = listpack.first();
        if (first == NO)
        {
            return -1;
        }
        wrapMember(base, address, length);
        long rank = 0;
        for (int p = first; p != NO; p = listpack.next(listpack.next(p)), rank++)
        {
            if (listpack.equalsBytes(p, memberBuffer, 0, length))
            {
                return rank;
            }
        }
        return -1;
    }

    private int findMember(final Object base, final long address, final int length)
    {
        final int first = listpack.first();
        if (first == NO)
        {
            return NO;
        }
        wrapMember(base, address, length);
        return listpack.find(first, memberBuffer, 0, length, 1);
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

    // ------------------------------------------------------------------------------------------------
    // the cursor

    /** Position the cursor at {@code rank} (0 <= rank < length); false when out of range. */
    public boolean seek(final long rank)
    {
        if (rank < 0 || rank >= length())
        {
            cursor = NO;
            treeCursor = null;
            return false;
        }
        if (skiplist)
        {
            treeCursor = big.seek(rank);
            cursorRank = rank;
            return true;
        }
        cursor = listpack.seek(rank * 2);
        cursorRank = rank;
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
        if (skiplist)
        {
            cursorRank++;
            return treeCursor != null && treeCursor.next();
        }
        if (cursor == NO)
        {
            return false;
        }
        cursor = listpack.next(listpack.next(cursor));
        cursorRank++;
        return cursor != NO;
    }

    /** To the previous rank; false (and invalid) before the start. */
    public boolean previous()
    {
        if (skiplist)
        {
            cursorRank--;
            return treeCursor != null && treeCursor.previous();
        }
        if (cursor == NO)
        {
            return false;
        }
        final int score = listpack.prev(cursor);
        cursor = score == NO ? NO : listpack.prev(score);
        cursorRank--;
        return cursor != NO;
    }

    public double cursorScore()
    {
        if (skiplist)
        {
            return big.cursorScore(treeCursor);
        }
        return scoreAt(listpack.next(cursor));
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
            loadAt(cursor);
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

    private void loadAt(final int p)
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

    /** The loaded member's length in bytes; an integer's is that of its decimal form. */
    public int loadedLength()
    {
        return memberInteger ? HashFlyweight.decimalLength(memberValue) : memberLength;
    }

    /** sdscmp of the loaded member with the bytes. */
    public int compareLoaded(final Object base, final long address, final int length)
    {
        if (memberInteger)
        {
            final int n = HashFlyweight.formatLong(memberValue, digits);
            return ZsetRange.compare(digits, BYTE_BASE, n, base, address, length);
        }
        return ZsetRange.compare(null, memberAddress, memberLength, base, address, length);
    }

    /** Whether the loaded member is in the lex range's lower / upper bound. */
    private boolean loadedGteMin(final ZsetRange range)
    {
        if (memberInteger)
        {
            final int n = HashFlyweight.formatLong(memberValue, digits);
            return range.lexGteMin(digits, BYTE_BASE, n);
        }
        return range.lexGteMin(null, memberAddress, memberLength);
    }

    private boolean loadedLteMax(final ZsetRange range)
    {
        if (memberInteger)
        {
            final int n = HashFlyweight.formatLong(memberValue, digits);
            return range.lexLteMax(digits, BYTE_BASE, n);
        }
        return range.lexLteMax(null, memberAddress, memberLength);
    }

    /** The cursor's member is at or above the lex range's minimum (zslLexValueGteMin). */
    public boolean cursorLexGteMin(final ZsetRange range)
    {
        loadMember();
        return loadedGteMin(range);
    }

    /** The cursor's member is at or below the lex range's maximum (zslLexValueLteMax). */
    public boolean cursorLexLteMax(final ZsetRange range)
    {
        loadMember();
        return loadedLteMax(range);
    }

    // ------------------------------------------------------------------------------------------------
    // ScannableCollection (ZSCAN over a listpack: every member at once, by rank)

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

    /** The score at a scan position: a listpack's rank, a skiplist's dict element. */
    public double scanScore(final long position)
    {
        if (skiplist)
        {
            return big.elementScore(position);
        }
        seek(position);
        return cursorScore();
    }

    /** A member drawn at random (ZRANDMEMBER): its rank in a listpack; the dict's fair pick in a skiplist. */
    public void seekRandom(final java.util.SplittableRandom random)
    {
        seek(random.nextLong(length()));
    }

    // ------------------------------------------------------------------------------------------------
    // ranges (Redis's zzlFirstInRange and friends: the rank of the first or last element in the range, or -1)

    public long firstInScoreRange(final ZsetRange range)
    {
        if (skiplist)
        {
            if (range.scoreRangeEmpty())
            {
                return -1;
            }
            final long first = big.countBelowScore(range.min, range.minExclusive);
            return seek(first) && range.scoreLteMax(cursorScore()) ? first : -1;
        }
        if (range.scoreRangeEmpty() || length() == 0 || !range.scoreGteMin(scoreAt(listpack.last())) ||
            !range.scoreLteMax(scoreAt(listpack.next(listpack.first()))))
        {
            return -1;
        }
        long rank = 0;
        for (int p = listpack.first(); p != NO; p = listpack.next(listpack.next(p)), rank++)
        {
            final double score = scoreAt(listpack.next(p));
            if (range.scoreGteMin(score))
            {
                return range.scoreLteMax(score) ? rank : -1;
            }
        }
        return -1;
    }

    public long lastInScoreRange(final ZsetRange range)
    {
        if (skiplist)
        {
            if (range.scoreRangeEmpty())
            {
                return -1;
            }
            final long last = big.countBelowScore(range.max, !range.maxExclusive) - 1;
            return seek(last) && range.scoreGteMin(cursorScore()) ? last : -1;
        }
        final long n = length();
        if (range.scoreRangeEmpty() || n == 0 || !range.scoreGteMin(scoreAt(listpack.last())) ||
            !range.scoreLteMax(scoreAt(listpack.next(listpack.first()))))
        {
            return -1;
        }
        long rank = n - 1;
        for (int s = listpack.last(); s != NO; rank--)
        {
            final double score = scoreAt(s);
            if (range.scoreLteMax(score))
            {
                return range.scoreGteMin(score) ? rank : -1;
            }
            final int member = listpack.prev(s);
            s = listpack.prev(member);
        }
        return -1;
    }

    public long firstInLexRange(final ZsetRange range)
    {
        if (skiplist)
        {
            if (range.lexRangeEmpty())
            {
                return -1;
            }
            final long first = range.minKind == ZsetRange.LEX_MIN ? 0 : range.minKind == ZsetRange.LEX_MAX ?
                length() : big.countBelowMember(range.minBase, range.minAddress, range.minLength,
                range.minKind == ZsetRange.LEX_EXCLUSIVE);
            return seek(first) && cursorLexLteMax(range) ? first : -1;
        }
        if (!inLexRange(range))
        {
            return -1;
        }
        long rank = 0;
        for (int p = listpack.first(); p != NO; p = listpack.next(listpack.next(p)), rank++)
        {
            loadAt(p);
            if (loadedGteMin(range))
            {
                return loadedLteMax(range) ? rank : -1;
            }
        }
        return -1;
    }

    public long lastInLexRange(final ZsetRange range)
    {
        if (skiplist)
        {
            if (range.lexRangeEmpty())
            {
                return -1;
            }
            final long last = (range.maxKind == ZsetRange.LEX_MAX ? length() : range.maxKind == ZsetRange.LEX_MIN ?
                0 : big.countBelowMember(range.maxBase, range.maxAddress, range.maxLength,
                range.maxKind != ZsetRange.LEX_EXCLUSIVE)) - 1;
            return seek(last) && cursorLexGteMin(range) ? last : -1;
        }
        if (!inLexRange(range))
        {
            return -1;
        }
        long rank = length() - 1;
        for (int s = listpack.last(); s != NO; rank--)
        {
            final int member = listpack.prev(s);
            loadAt(member);
            if (loadedLteMax(range))
            {
                return loadedGteMin(range) ? rank : -1;
            }
            s = listpack.prev(member);
        }
        return -1;
    }

    /** zzlIsInLexRange: the range is not empty, the last member is >= min and the first <= max. */
    private boolean inLexRange(final ZsetRange range)
    {
        if (range.lexRangeEmpty() || length() == 0)
        {
            return false;
        }
        loadAt(listpack.prev(listpack.last()));
        if (!loadedGteMin(range))
        {
            return false;
        }
        loadAt(listpack.first());
        return loadedLteMax(range);
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
        if (skiplist)
        {
            return addSkiplist(score, base, address, length, flags);
        }
        final int at = findMember(base, address, length);
        if (at != NO)
        {
            if ((flags & IN_NX) != 0)
            {
                return OUT_NOP;
            }
            final double current = scoreAt(listpack.next(at));
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
            return updateScore(keyspace, db, at, updated, base, address, length) ? OUT_UPDATED : OUT_OOM;
        }
        if ((flags & IN_XX) != 0)
        {
            return OUT_NOP;
        }
        if (length() + 1 > maxEntries || length > maxValue)
        {
            return NEEDS_CONVERSION;
        }
        if (!insert(keyspace, db, score, base, address, length))
        {
            return OUT_OOM;
        }
        newScore = score;
        return OUT_ADDED;
    }

    /** zsetAdd's skiplist branch. */
    private int addSkiplist(final double score, final Object base, final long address, final int length,
        final int flags)
    {
        final double current = big.score(base, address, length);
        cursor = NO;
        treeCursor = null;
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
            return big.update(current, updated, base, address, length) == ZsetSkiplist.OK ? OUT_UPDATED : OUT_OOM;
        }
        if ((flags & IN_XX) != 0)
        {
            return OUT_NOP;
        }
        if (big.insert(score, base, address, length) != ZsetSkiplist.OK)
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

    /** zzlInsert: the pair at its place in (score, member) order; false when memory ran out (unchanged). */
    private boolean insert(final Keyspace keyspace, final Database db, final double score, final Object base,
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
                loadAt(p);
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

    /** zzlDelete + zzlInsert of a member whose score changes; room for the new score is made first. */
    private boolean updateScore(final Keyspace keyspace, final Database db, final int at, final double score,
        final Object base, final long address, final int length)
    {
        final int scoreLength = d2string(score, scoreText);
        final int total = listpack.totalBytes();
        final long after = listpack.sizeAfterReplace(listpack.next(at), scoreBuffer, 0, scoreLength);
        if (after > entry.valueLength() && !resize(keyspace, db, after, total))
        {
            return false;
        }
        // offsets are the listpack's own, so a moved entry leaves the member at the same offset
        listpack.delete(listpack.delete(at));
        if (!insert(keyspace, db, score, base, address, length))
        {
            throw new IllegalStateException("a score update lost its room");
        }
        fit(keyspace, db);
        return true;
    }

    /** Delete the member found by the last {@link #score} (zzlDelete); the caller deletes an emptied key. */
    public void deleteFound(final Keyspace keyspace, final Database db)
    {
        if (skiplist)
        {
            if (Double.isNaN(foundScore))
            {
                throw new IllegalStateException("no member was found to delete");
            }
            big.delete(foundScore, foundBase, foundAddress, foundLength);
            foundScore = Double.NaN;
            treeCursor = null;
            return;
        }
        if (found == NO)
        {
            throw new IllegalStateException("no member was found to delete");
        }
        listpack.delete(listpack.delete(found));
        found = NO;
        cursor = NO;
        fit(keyspace, db);
    }

    /** Delete {@code count} elements from rank {@code start} (zzlDeleteRangeByRank); returns how many. */
    public long deleteRange(final Keyspace keyspace, final Database db, final long start, final long count)
    {
        final long n = length();
        if (start < 0 || start >= n || count <= 0)
        {
            return 0;
        }
        final long deleted = Math.min(count, n - start);
        if (skiplist)
        {
            treeCursor = null;
            big.deleteRange(start, deleted);
            return deleted;
        }
        listpack.deleteRange(start * 2, deleted * 2);
        cursor = NO;
        found = NO;
        fit(keyspace, db);
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
        for (int p = listpack.first(); p != NO; p = listpack.next(listpack.next(p)))
        {
            // the dict's and tree's allocations never move the entry, so the listpack's offsets stay valid
            final double score = scoreAt(listpack.next(p));
            loadAt(p);
            final boolean integer = memberInteger;
            final int length = integer ? HashFlyweight.formatLong(memberValue, digits) : memberLength;
            if (big.insert(score, integer ? digits : null, integer ? BYTE_BASE : memberAddress, length) !=
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

    /** Free a root made by {@link #copySkiplist} or a builder that no key took (all at once). */
    public void freeSkiplist(final long root)
    {
        big.free(root);
    }

    /** MEMORY USAGE's part outside the entry (skiplist only; see {@link ZsetSkiplist#bytesUsed}). */
    public long skiplistBytes(final long samples)
    {
        return big.bytesUsed(samples);
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
        entryHandle = moved;
        entry.wrap(moved);
        region.wrap(entry.valueHandle(), entry.valueLength());
        listpack.wrap(region);
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
        final double value = Args.parseDouble(null, entry.valueAddress() + listpack.stringOffset(),
            listpack.stringLength());
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
    public int d2string(final double value, final byte[] out)
    {
        if (value >= -INTEGER_LIMIT && value <= INTEGER_LIMIT && value == (double)(long)value)
        {
            return HashFlyweight.formatLong((long)value, out);
        }
        return doubleFormat.format(value, out);
    }
}
