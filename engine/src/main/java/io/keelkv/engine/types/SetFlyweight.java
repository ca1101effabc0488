package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.UnsafeApi;

import java.util.SplittableRandom;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * A view over one set value (Redis 7.0's t_set.c over an entry of type {@link ObjectType#SET}), re-pointed with
 * {@link #wrap}, never allocated per call. The set commands, DEBUG DIGEST, the AOF rewrite, COPY and MEMORY USAGE
 * read sets through it, so each encoding is walked in one place (as {@link HashFlyweight} does for hashes).
 *
 * <p>Encodings, as Redis 7.0 chooses them. {@code intset}: the entry's value bytes are the intset itself
 * ({@link IntsetFlyweight}, Redis's byte format), so the value length is the intset's size. {@code hashtable}:
 * the value is the 8-byte root handle of a member-only {@link PagedDict} ({@code withValues=false}), released by
 * {@link LazyFree} when the key goes. An intset converts ({@link #convertToHashtable}) when a member that is not
 * a canonical integer (Redis's string2ll) is added, or after an add leaves it with more than
 * {@code set-max-intset-entries} members; never back. Both conversions happen inside {@link #add}, as Redis's
 * setTypeAdd does them; each is bounded by the intset limit.
 *
 * <p>Positions. A member is named by a position ({@code long}): an intset index, or a dict element's handle;
 * {@link #NONE} is none. {@link #load} decodes it into this flyweight: an integer ({@link #isInteger}) or a byte
 * range in page memory ({@link #address}, {@link #stringLength}), valid until the next write. Iteration
 * ({@link #first}, {@link #next}) is one pass at a time per flyweight and must not be mixed with lookups or
 * writes on the same hashtable (its iterator refuses a table that changed under it).
 *
 * <p>Members given to lookups and writes are (base, address, length) triples, as {@link PagedDict} takes them:
 * a request's bytes ({@code Args.array()}, {@code Args.address(i)}) or another set's member in page memory
 * (null base). Writes need the entry to be the database's found entry: an intset that grows first grows the
 * entry ({@link Keyspace#resizeValue}), then writes; one that shrinks writes, then shrinks the entry.
 */
public final class SetFlyweight implements ScannableCollection
{
    public static final long NONE = -1;
    static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    static final int ROOT_BYTES = 8;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final PageRegion region;
    private final IntsetFlyweight intset = new IntsetFlyweight();
    private final PagedDict dict;
    private final PagedDictIterator iterator;
    private final byte[] digits = new byte[24];
    private long entryHandle = NULL_HANDLE;
    private boolean hashtable;
    private long parsed;

    // the member decoded by load
    private boolean elementInteger;
    private long elementValue;
    private long elementAddress;
    private int elementLength;

    public SetFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.region = new PageRegion(memory);
        this.dict = new PagedDict(memory);
        this.iterator = new PagedDictIterator(memory);
    }

    /** Point at the set in entry {@code entryHandle} (an entry of type set). */
    public SetFlyweight wrap(final long entryHandle)
    {
        this.entryHandle = entryHandle;
        entry.wrap(entryHandle);
        if (entry.type() != ObjectType.SET)
        {
            throw new IllegalStateException("entry " + entryHandle + " holds type " + entry.type() + ", not a set");
        }
        switch (entry.encoding())
        {
            case ObjectType.ENCODING_INTSET:
                hashtable = false;
                region.wrap(entry.valueHandle(), entry.valueLength());
                intset.wrap(region);
                break;
            case ObjectType.ENCODING_HT:
                if (entry.valueLength() != ROOT_BYTES)
                {
                    throw new IllegalStateException("hashtable set " + entryHandle + " has a value of " +
                        entry.valueLength() + " bytes, not a root handle");
                }
                hashtable = true;
                dict.wrap(memory.getLong(entry.valueHandle()));
                break;
            default:
                throw new IllegalStateException("set " + entryHandle + " has encoding " + entry.encoding());
        }
        return this;
    }

    /** Resizing of a hashtable pauses while a snapshot runs (see {@link PagedDict}); the commands tell it. */
    public void snapshotRunning(final boolean running)
    {
        dict.snapshotRunning(running);
    }

    public long entryHandle()
    {
        return entryHandle;
    }

    public int encoding()
    {
        return hashtable ? ObjectType.ENCODING_HT : ObjectType.ENCODING_INTSET;
    }

    public boolean isHashtable()
    {
        return hashtable;
    }

    /** SCARD: the number of members. */
    public long length()
    {
        return hashtable ? dict.size() : intset.length();
    }

    public long rootHandle()
    {
        return dict.rootHandle();
    }

    /** The hashtable's own bytes besides its elements: root and bucket tables (MEMORY USAGE). */
    public long hashtableOverheadBytes()
    {
        return hashtable ? dict.overheadBytes() : 0;
    }

    /** The block bytes of the hashtable element {@code member} (MEMORY USAGE's samples). */
    public long elementBlockBytes(final long member)
    {
        return memory.blockBytes(dict.element(member).length());
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    /**
     * Whether the bytes are a canonical integer that fits a long (Redis's isSdsRepresentableAsLongLong, which
     * decides what an intset may hold); the value is then {@link #parsed}.
     */
    public boolean parseInteger(final Object base, final long address, final int length)
    {
        if (!Strings.isCanonicalLong(base, address, length))
        {
            return false;
        }
        final boolean negative = UnsafeApi.getByte(base, address) == '-';
        long value = 0;
        for (int i = negative ? 1 : 0; i < length; i++)
        {
            value = value * 10 - (UnsafeApi.getByte(base, address + i) - '0'); // negatively: MIN_VALUE fits
        }
        parsed = negative ? value : -value;
        return true;
    }

    public long parsed()
    {
        return parsed;
    }

    /** SISMEMBER (setTypeIsMember): an intset holds only canonical integers, so other bytes are no member. */
    public boolean contains(final Object base, final long address, final int length)
    {
        if (hashtable)
        {
            return dict.find(base, address, length) != NULL_HANDLE;
        }
        return parseInteger(base, address, length) && intset.contains(parsed);
    }

    /** Whether the integer {@code value} (a member of an intset elsewhere) is a member, by its decimal form. */
    public boolean containsInteger(final long value)
    {
        if (hashtable)
        {
            final int length = HashFlyweight.formatLong(value, digits);
            return dict.find(digits, BYTE_BASE, length) != NULL_HANDLE;
        }
        return intset.contains(value);
    }

    /** Whether the member last {@link #load}ed from another set is a member of this one. */
    public boolean containsLoaded(final SetFlyweight other)
    {
        return other.isInteger() ? containsInteger(other.integer()) :
            contains(null, other.address(), other.stringLength());
    }

    /** Start a pass over the members: the first, or {@link #NONE} for an empty set. */
    public long first()
    {
        if (hashtable)
        {
            final long element = iterator.reset(dict.rootHandle()).next();
            return element == NULL_HANDLE ? NONE : element;
        }
        return intset.length() > 0 ? 0 : NONE;
    }

    /** The member after {@code member} in the pass {@link #first} started, or {@link #NONE}. */
    public long next(final long member)
    {
        if (hashtable)
        {
            final long element = iterator.next();
            return element == NULL_HANDLE ? NONE : element;
        }
        return member + 1 < intset.length() ? member + 1 : NONE;
    }

    /** A random member: uniform in an intset (intsetRandom), Redis's fair pick in a hashtable. */
    public long randomMember(final SplittableRandom random)
    {
        return hashtable ? dict.randomElement(random) : random.nextInt(intset.length());
    }

    /** SCAN over a hashtable (Redis's dictScan): visits elements, returns the next cursor (0 at the end). */
    public long scan(final long cursor, final PagedDict.ElementVisitor visitor)
    {
        return dict.scan(cursor, visitor);
    }

    /** Decode the member at {@code member}: see {@link #isInteger}, {@link #address}. */
    @Override
    public void loadKey(final long position)
    {
        load(position);
    }

    public SetFlyweight load(final long member)
    {
        if (hashtable)
        {
            final DictElementFlyweight element = dict.element(member);
            elementInteger = false;
            elementValue = 0;
            elementAddress = element.fieldAddress();
            elementLength = element.fieldLength();
        }
        else
        {
            elementInteger = true;
            elementValue = intset.get((int)member);
            elementAddress = 0;
            elementLength = 0;
        }
        return this;
    }

    public boolean isInteger()
    {
        return elementInteger;
    }

    public long integer()
    {
        return elementValue;
    }

    /** The loaded string's bytes in page memory (raw address, for reads only). */
    public long address()
    {
        return elementAddress;
    }

    public int stringLength()
    {
        return elementLength;
    }

    /** The loaded member in decimal (integers) into {@code out}, or its string's length: what a digest hashes. */
    public int loadedLength()
    {
        return elementInteger ? HashFlyweight.decimalLength(elementValue) : elementLength;
    }

    // ------------------------------------------------------------------------------------------------
    // writes (the entry must be db's found entry: a lookupWrite of its key, with no other lookup since)

    /**
     * setTypeCreate under the key just missed by a lookup on {@code db}: an empty intset when {@code first} (the
     * member about to be added) is a canonical integer, else an empty hashtable.
     *
     * @return the entry handle, or NULL_HANDLE when memory is exhausted.
     */
    public long create(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength, final Object firstBase, final long firstAddress, final int firstLength)
    {
        if (parseInteger(firstBase, firstAddress, firstLength))
        {
            final long e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.SET,
                ObjectType.ENCODING_INTSET, IntsetDescriptor.HEADER_LENGTH, -1);
            if (e == NULL_HANDLE)
            {
                return NULL_HANDLE;
            }
            entry.wrap(e);
            intset.wrap(region.wrap(entry.valueHandle(), entry.valueLength())).init();
            return wrap(e).entryHandle;
        }
        final long root = dict.create(false);
        if (root == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        final long e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.SET, ObjectType.ENCODING_HT,
            ROOT_BYTES, -1);
        if (e == NULL_HANDLE)
        {
            freeHashtable(root);
            return NULL_HANDLE;
        }
        memory.putLong(entry.wrap(e).valueHandle(), root);
        return wrap(e).entryHandle;
    }

    /**
     * setTypeAdd, conversions included, after {@link #wrap} of db's found entry.
     *
     * @return {@link PagedDict#ADDED}, {@link PagedDict#UPDATED} (a member already) or {@link
     *         PagedDict#OUT_OF_MEMORY} (the set is then unchanged). A conversion past set-max-intset-entries that
     *         finds no memory leaves the member added to a valid intset; the next add tries again.
     */
    public int add(final Keyspace keyspace, final Database db, final long maxIntsetEntries, final Object base,
        final long address, final int length)
    {
        if (!hashtable)
        {
            if (!parseInteger(base, address, length))
            {
                if (!convertToHashtable(keyspace, db))
                {
                    return PagedDict.OUT_OF_MEMORY;
                }
                return dict.add(base, address, length);
            }
            final long value = parsed;
            final int total = intset.sizeInBytes();
            final long after = intset.sizeAfterAdd(value);
            if (after == total) // an absent member always grows the intset
            {
                return PagedDict.UPDATED;
            }
            if (!resize(keyspace, db, after, total))
            {
                return PagedDict.OUT_OF_MEMORY;
            }
            intset.add(value);
            if (intset.length() > maxIntsetEntries)
            {
                convertToHashtable(keyspace, db);
            }
            return PagedDict.ADDED;
        }
        return dict.add(base, address, length);
    }

    /** setTypeRemove, after {@link #wrap} of db's found entry; the caller deletes the key when it empties. */
    public boolean remove(final Keyspace keyspace, final Database db, final Object base, final long address,
        final int length)
    {
        if (hashtable)
        {
            return dict.delete(base, address, length);
        }
        return parseInteger(base, address, length) && removeInteger(keyspace, db, parsed);
    }

    /** Remove the member at {@code member} (SPOP's draws: a position from {@link #randomMember}). */
    public void removeAt(final Keyspace keyspace, final Database db, final long member)
    {
        if (hashtable)
        {
            final DictElementFlyweight element = dict.element(member);
            if (dict.find(null, element.fieldAddress(), element.fieldLength()) != member)
            {
                throw new IllegalStateException("set member " + member + " is not where its bytes lead");
            }
            dict.deleteFound();
            return;
        }
        removeInteger(keyspace, db, intset.get((int)member));
    }

    private boolean removeInteger(final Keyspace keyspace, final Database db, final long value)
    {
        if (!intset.remove(value))
        {
            return false;
        }
        final int after = intset.sizeInBytes();
        resize(keyspace, db, after, after); // shrinking never fails: the entry may stay where it is
        return true;
    }

    /**
     * setTypeConvert from intset to hashtable, after {@link #wrap} of db's found entry: a dict holding every
     * member in decimal, then the entry's value becomes its root handle. Bounded by set-max-intset-entries.
     *
     * @return false when memory ran out (the set is then unchanged, still an intset).
     */
    public boolean convertToHashtable(final Keyspace keyspace, final Database db)
    {
        if (hashtable)
        {
            return true;
        }
        final long root = dict.create(false);
        if (root == NULL_HANDLE)
        {
            return false;
        }
        final int count = intset.length();
        for (int i = 0; i < count; i++)
        {
            // the dict's allocations never move the entry, so the intset's region stays valid
            final int length = HashFlyweight.formatLong(intset.get(i), digits);
            dict.wrap(root);
            dict.find(digits, BYTE_BASE, length);
            if (dict.insertAfterMiss(digits, BYTE_BASE, length, null, 0, 0) == NULL_HANDLE)
            {
                freeHashtable(root);
                return false;
            }
        }
        final long moved = keyspace.resizeValue(db, ROOT_BYTES, 0);
        if (moved == NULL_HANDLE)
        {
            freeHashtable(root);
            return false;
        }
        entry.wrap(moved);
        memory.putLong(entry.valueHandle(), root);
        entry.encoding(ObjectType.ENCODING_HT);
        wrap(moved);
        return true;
    }

    /**
     * A copy of this hashtable's dict (COPY): a new member-only root with every member.
     *
     * @return the new root handle, or NULL_HANDLE when memory ran out (nothing is left allocated).
     */
    public long copyHashtable()
    {
        final long source = dict.rootHandle();
        final long copy = dict.create(false);
        if (copy == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        for (long e = iterator.reset(source).next(); e != NULL_HANDLE; e = iterator.next())
        {
            final DictElementFlyweight element = iterator.element();
            dict.wrap(copy);
            dict.find(null, element.fieldAddress(), element.fieldLength());
            if (dict.insertAfterMiss(null, element.fieldAddress(), element.fieldLength(), null, 0, 0) == NULL_HANDLE)
            {
                freeHashtable(copy);
                dict.wrap(source);
                return NULL_HANDLE;
            }
        }
        dict.wrap(source);
        return copy;
    }

    /** Free a dict no key took, all at once (a failed COPY's, a failed conversion's). */
    public void freeHashtable(final long root)
    {
        while (!dict.freeStep(root, Integer.MAX_VALUE))
        {
            // one call frees everything; the loop only guards the contract
        }
    }

    /** Grow or shrink the entry's value to {@code bytes}, keeping {@code keep} bytes, and re-point the views. */
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
        intset.wrap(region);
        return true;
    }
}
