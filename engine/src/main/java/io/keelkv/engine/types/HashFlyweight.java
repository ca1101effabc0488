package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.DirectBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * A view over one hash value (Redis's t_hash.c over an entry of type {@link ObjectType#HASH}), re-pointed with
 * {@link #wrap}, never allocated per call. The commands, DEBUG DIGEST and the AOF rewrite all read hashes
 * through it, so each encoding is walked in one place.
 *
 * <p>Encodings, as Redis 7.0 chooses them. {@code listpack}: the entry's value bytes are the listpack itself
 * ({@link ListpackFlyweight}), fields and values alternating, so the entry's value length is the listpack's
 * total bytes. {@code hashtable}: the value is the 8-byte root handle of a {@link PagedDict}, which owns its
 * tables and elements (released by {@link LazyFree} when the key goes). A listpack converts ({@link
 * #convertToHashtable}) when a write would give it more than {@code hash-max-listpack-entries} fields or a field
 * or value longer than {@code hash-max-listpack-value}; never back. The conversion is bounded by those limits.
 *
 * <p>Positions. A field is named by a position ({@code long}): a listpack's field offset, or a dict element's
 * handle; {@link #NONE} is none. {@link #loadField} and {@link #loadValue} decode into this flyweight an integer
 * ({@link #isInteger}, {@link #integer}: listpack only) or a byte range in page memory ({@link #address},
 * {@link #stringLength}), valid until the next write to the hash. Iteration ({@link #first}, {@link #next}) is
 * one pass at a time per flyweight and must not be mixed with lookups or writes on a hashtable (its iterator
 * refuses a table that changed under it).
 *
 * <p>Writes keep a listpack's entry value length equal to the listpack's total bytes: a write that grows it
 * first grows the entry ({@link Keyspace#resizeValue}, which needs the key to be the database's found entry),
 * then writes; one that shrinks it writes, then shrinks the entry. Every byte goes through {@link PageMemory}.
 */
public final class HashFlyweight implements ScannableCollection
{
    public static final long NONE = ListpackFlyweight.NONE;
    private static final long BYTE_BASE = org.agrona.UnsafeApi.arrayBaseOffset(byte[].class);
    private static final int ROOT_BYTES = 8;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final PageRegion region;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private final PagedDict dict;
    private final PagedDictIterator iterator;
    private final byte[] fieldDigits = new byte[24];
    private final byte[] valueDigits = new byte[24];
    private long entryHandle = NULL_HANDLE;
    private boolean hashtable;

    // the element decoded by loadField/loadValue
    private boolean elementInteger;
    private long elementValue;
    private long elementAddress;
    private int elementLength;

    public HashFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.region = new PageRegion(memory);
        this.dict = new PagedDict(memory);
        this.iterator = new PagedDictIterator(memory);
    }

    /** Point at the hash in entry {@code entryHandle} (an entry of type hash). */
    public HashFlyweight wrap(final long entryHandle)
    {
        this.entryHandle = entryHandle;
        entry.wrap(entryHandle);
        if (entry.type() != ObjectType.HASH)
        {
            throw new IllegalStateException("entry " + entryHandle + " holds type " + entry.type() + ", not a hash");
        }
        switch (entry.encoding())
        {
            case ObjectType.ENCODING_LISTPACK:
                hashtable = false;
                region.wrap(entry.valueHandle(), entry.valueLength());
                listpack.wrap(region);
                break;
            case ObjectType.ENCODING_HT:
                if (entry.valueLength() != ROOT_BYTES)
                {
                    throw new IllegalStateException("hashtable hash " + entryHandle + " has a value of " +
                        entry.valueLength() + " bytes, not a root handle");
                }
                hashtable = true;
                dict.wrap(memory.getLong(entry.valueHandle()));
                break;
            default:
                throw new IllegalStateException("hash " + entryHandle + " has encoding " + entry.encoding());
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
        return hashtable ? ObjectType.ENCODING_HT : ObjectType.ENCODING_LISTPACK;
    }

    public boolean isHashtable()
    {
        return hashtable;
    }

    /** HLEN: the number of fields. */
    public long length()
    {
        return hashtable ? dict.size() : listpack.count() >>> 1;
    }

    /** The hashtable's root handle (hashtable encoding only). */
    public long rootHandle()
    {
        return dict.rootHandle();
    }

    /** The hashtable's own bytes besides its elements: root and bucket tables (MEMORY USAGE). */
    public long hashtableOverheadBytes()
    {
        return hashtable ? dict.overheadBytes() : 0;
    }

    /** The block bytes of the hashtable element {@code field} (MEMORY USAGE's samples). */
    public long elementBlockBytes(final long field)
    {
        return memory.blockBytes(dict.element(field).length());
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    /**
     * The field equal to the bytes, or {@link #NONE}. A listpack's integer field matches its decimal form, as
     * in Redis. On a hashtable this is also the lookup {@link #set} and {@link #delete} rely on.
     */
    public long find(final DirectBuffer src, final int offset, final int length)
    {
        if (hashtable)
        {
            final long element = dict.find(src.byteArray(), src.addressOffset() + offset, length);
            return element == NULL_HANDLE ? NONE : element;
        }
        final int first = listpack.first();
        return first == ListpackFlyweight.NONE ? NONE : listpack.find(first, src, offset, length, 1);
    }

    /** Start a pass over the fields: the first, or {@link #NONE} for an empty hash. */
    public long first()
    {
        if (hashtable)
        {
            final long element = iterator.reset(dict.rootHandle()).next();
            return element == NULL_HANDLE ? NONE : element;
        }
        return listpack.first();
    }

    /** The field after {@code field} in the pass {@link #first} started, or {@link #NONE}. */
    public long next(final long field)
    {
        if (hashtable)
        {
            final long element = iterator.next();
            return element == NULL_HANDLE ? NONE : element;
        }
        return listpack.next(listpack.next((int)field));
    }

    /** The field number {@code index} in a listpack's order (HRANDFIELD's draws), or {@link #NONE}. */
    public long fieldAt(final long index)
    {
        if (hashtable)
        {
            throw new IllegalStateException("a hashtable has no field order: use randomField");
        }
        return index < 0 ? NONE : listpack.seek(index * 2);
    }

    /** A random field of a hashtable (Redis's dictGetFairRandomKey). */
    public long randomField(final java.util.SplittableRandom random)
    {
        return dict.randomElement(random);
    }

    /** SCAN over a hashtable (Redis's dictScan): visits elements, returns the next cursor (0 at the end). */
    public long scan(final long cursor, final PagedDict.ElementVisitor visitor)
    {
        return dict.scan(cursor, visitor);
    }

    /** Decode the field at {@code field}: see {@link #isInteger}, {@link #address}. */
    public HashFlyweight loadField(final long field)
    {
        if (hashtable)
        {
            final DictElementFlyweight element = dict.element(field);
            loadString(element.fieldAddress(), element.fieldLength());
        }
        else
        {
            loadListpack((int)field);
        }
        return this;
    }

    @Override
    public void loadKey(final long position)
    {
        loadField(position);
    }

    /** Decode the value of the field at {@code field}. */
    public HashFlyweight loadValue(final long field)
    {
        if (hashtable)
        {
            final DictElementFlyweight element = dict.element(field);
            loadString(element.valueAddress(), element.valueLength());
        }
        else
        {
            loadListpack(listpack.next((int)field));
        }
        return this;
    }

    private void loadListpack(final int position)
    {
        listpack.load(position);
        elementInteger = listpack.isInteger();
        if (elementInteger)
        {
            elementValue = listpack.integer();
            elementAddress = 0;
            elementLength = 0;
        }
        else
        {
            loadString(entry.valueAddress() + listpack.stringOffset(), listpack.stringLength());
        }
    }

    private void loadString(final long address, final int length)
    {
        elementInteger = false;
        elementValue = 0;
        elementAddress = address;
        elementLength = length;
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

    /** The loaded string's length in bytes (0 for an integer). */
    public int stringLength()
    {
        return elementLength;
    }

    /** The loaded string's length in bytes; for an integer, the length of its decimal form. */
    public int loadedLength()
    {
        return elementInteger ? decimalLength(elementValue) : elementLength;
    }

    // ------------------------------------------------------------------------------------------------
    // writes (the entry must be db's found entry: a lookupWrite of its key, with no other lookup since)

    /**
     * A new, empty listpack hash under the key just missed by a lookup on {@code db}.
     *
     * @return the entry handle, or NULL_HANDLE when memory is exhausted.
     */
    public long create(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength)
    {
        final long e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.HASH,
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
     * Set {@code field} to {@code value} (Redis's hashTypeSet, without its conversion: the caller converts),
     * after {@link #wrap} of db's found entry.
     *
     * @return 1 when the field was added, 0 when an existing field was updated, -1 when memory is exhausted
     *         (the hash is then unchanged).
     */
    public int set(final Keyspace keyspace, final Database db, final DirectBuffer src, final int fieldOffset,
        final int fieldLength, final DirectBuffer valueSrc, final int valueOffset, final int valueLength)
    {
        if (hashtable)
        {
            final long element = dict.find(src.byteArray(), src.addressOffset() + fieldOffset, fieldLength);
            final long written = element != NULL_HANDLE ?
                dict.replaceFoundValue(valueSrc.byteArray(), valueSrc.addressOffset() + valueOffset, valueLength) :
                dict.insertAfterMiss(src.byteArray(), src.addressOffset() + fieldOffset, fieldLength,
                    valueSrc.byteArray(), valueSrc.addressOffset() + valueOffset, valueLength);
            return written == NULL_HANDLE ? -1 : element != NULL_HANDLE ? 0 : 1;
        }
        final long field = find(src, fieldOffset, fieldLength);
        final int total = listpack.totalBytes();
        if (field != NONE)
        {
            final int value = listpack.next((int)field);
            final long after = listpack.sizeAfterReplace(value, valueSrc, valueOffset, valueLength);
            if (after > total && !resize(keyspace, db, after, total))
            {
                return -1;
            }
            listpack.replace(value, valueSrc, valueOffset, valueLength);
            if (after < total)
            {
                resize(keyspace, db, after, after); // shrinking never fails: the entry may stay where it is
            }
            return 0;
        }
        final long withField = listpack.sizeAfterInsert(src, fieldOffset, fieldLength);
        final long after = withField + listpack.sizeAfterInsert(valueSrc, valueOffset, valueLength) - total;
        if (!resize(keyspace, db, after, total))
        {
            return -1;
        }
        listpack.append(src, fieldOffset, fieldLength);
        listpack.append(valueSrc, valueOffset, valueLength);
        return 1;
    }

    /**
     * Delete the field at {@code field} and its value, after {@link #wrap} of db's found entry (Redis's
     * hashTypeDelete); on a hashtable {@code field} must come from the {@link #find} just before. The caller
     * deletes the key when the hash is left empty.
     */
    public void delete(final Keyspace keyspace, final Database db, final long field)
    {
        if (hashtable)
        {
            dict.deleteFound();
            return;
        }
        final int at = listpack.delete((int)field);
        listpack.delete(at);
        final int after = listpack.totalBytes();
        resize(keyspace, db, after, after);
    }

    /**
     * hashTypeConvert from listpack to hashtable, after {@link #wrap} of db's found entry: a dict holding every
     * pair, then the entry's value becomes its root handle. Bounded by the listpack limits.
     *
     * @return false when memory ran out (the hash is then unchanged, still a listpack).
     */
    public boolean convertToHashtable(final Keyspace keyspace, final Database db)
    {
        if (hashtable)
        {
            return true;
        }
        final long root = dict.create(true);
        if (root == NULL_HANDLE)
        {
            return false;
        }
        for (int p = listpack.first(); p != ListpackFlyweight.NONE; p = listpack.next(listpack.next(p)))
        {
            // the dict's allocations never move the entry, so the listpack's addresses stay valid
            listpack.load(p);
            final boolean fieldInteger = listpack.isInteger();
            final int fieldLength = fieldInteger ? formatLong(listpack.integer(), fieldDigits) : listpack.stringLength();
            final long fieldAddress = fieldInteger ? BYTE_BASE : entry.valueAddress() + listpack.stringOffset();
            listpack.load(listpack.next(p));
            final boolean valueInteger = listpack.isInteger();
            final int valueLength = valueInteger ? formatLong(listpack.integer(), valueDigits) : listpack.stringLength();
            final long valueAddress = valueInteger ? BYTE_BASE : entry.valueAddress() + listpack.stringOffset();
            dict.wrap(root);
            dict.find(fieldInteger ? fieldDigits : null, fieldAddress, fieldLength);
            if (dict.insertAfterMiss(fieldInteger ? fieldDigits : null, fieldAddress, fieldLength,
                valueInteger ? valueDigits : null, valueAddress, valueLength) == NULL_HANDLE)
            {
                freeAll(root);
                return false;
            }
        }
        final long moved = keyspace.resizeValue(db, ROOT_BYTES, 0);
        if (moved == NULL_HANDLE)
        {
            freeAll(root);
            return false;
        }
        entry.wrap(moved);
        memory.putLong(entry.valueHandle(), root);
        entry.encoding(ObjectType.ENCODING_HT);
        wrap(moved);
        return true;
    }

    /**
     * A copy of this hashtable's dict (COPY): a new root with every pair.
     *
     * @return the new root handle, or NULL_HANDLE when memory ran out (nothing is left allocated).
     */
    public long copyHashtable()
    {
        final long source = dict.rootHandle();
        final long copy = dict.create(true);
        if (copy == NULL_HANDLE)
        {
            return NULL_HANDLE;
        }
        for (long e = iterator.reset(source).next(); e != NULL_HANDLE; e = iterator.next())
        {
            final DictElementFlyweight element = iterator.element();
            dict.wrap(copy);
            dict.find(null, element.fieldAddress(), element.fieldLength());
            if (dict.insertAfterMiss(null, element.fieldAddress(), element.fieldLength(), null, element.valueAddress(),
                element.valueLength()) == NULL_HANDLE)
            {
                freeAll(copy);
                dict.wrap(source);
                return NULL_HANDLE;
            }
        }
        dict.wrap(source);
        return copy;
    }

    /** Free a dict made by {@link #copyHashtable} that no key took (all at once: a failed COPY's). */
    public void freeHashtable(final long root)
    {
        freeAll(root);
    }

    private void freeAll(final long root)
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
        listpack.wrap(region);
        return true;
    }

    // ------------------------------------------------------------------------------------------------

    /** Digits of {@code value} in decimal, with its sign. */
    public static int decimalLength(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return 20;
        }
        long v = Math.abs(value);
        int digits = 1;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }
        return value < 0 ? digits + 1 : digits;
    }

    /** {@code value} in decimal into {@code out}; returns its length. */
    public static int formatLong(final long value, final byte[] out)
    {
        final int length = decimalLength(value);
        long v = value;
        int at = length - 1;
        do
        {
            out[at--] = (byte)('0' + Math.abs(v % 10));
            v /= 10;
        }
        while (v != 0);
        if (value < 0)
        {
            out[0] = '-';
        }
        return length;
    }
}
