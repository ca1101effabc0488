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
 * <p>Encodings. {@code listpack}: the entry's value bytes are the listpack itself (Redis 7.0's format,
 * {@link ListpackFlyweight}), fields and values alternating, so the entry's value length is the listpack's
 * total bytes. The hashtable encoding (past {@code hash-max-listpack-entries} fields or a field or value longer
 * than {@code hash-max-listpack-value}) is not built yet: {@link #fitsListpack} tells the commands when a
 * write would need it.
 *
 * <p>Positions. A field is named by a position ({@code long}; for a listpack the field's byte offset), or
 * {@link #NONE}. {@link #load} decodes the field or value at a position into this flyweight: an integer
 * ({@link #isInteger}, {@link #integer}) or a byte range in page memory ({@link #address}, {@link #length}),
 * valid until the next write to the hash.
 *
 * <p>Writes keep the entry's value length equal to the listpack's total bytes: a write that grows it first
 * grows the entry ({@link Keyspace#resizeValue}, which needs the key to be the database's found entry), then
 * writes; one that shrinks it writes, then shrinks the entry. Every byte goes through {@link PageMemory}.
 */
public final class HashFlyweight
{
    public static final long NONE = ListpackFlyweight.NONE;

    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final PageRegion region;
    private final ListpackFlyweight listpack = new ListpackFlyweight();
    private long entryHandle = NULL_HANDLE;

    // the element decoded by load()
    private boolean elementInteger;
    private long elementValue;
    private long elementAddress;
    private int elementLength;

    public HashFlyweight(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.region = new PageRegion(memory);
    }

    /** Point at the hash in entry {@code entryHandle} (an entry of type hash). */
    public HashFlyweight wrap(final long entryHandle)
    {
        this.entryHandle = entryHandle;
        entry.wrap(entryHandle);
        if (entry.type() != ObjectType.HASH || entry.encoding() != ObjectType.ENCODING_LISTPACK)
        {
            throw new IllegalStateException("entry " + entryHandle + " holds type " + entry.type() + " encoding " +
                entry.encoding() + ", not a listpack hash");
        }
        region.wrap(entry.valueHandle(), entry.valueLength());
        listpack.wrap(region);
        return this;
    }

    public long entryHandle()
    {
        return entryHandle;
    }

    public int encoding()
    {
        return ObjectType.ENCODING_LISTPACK;
    }

    /** HLEN: the number of fields. */
    public long length()
    {
        return listpack.count() >>> 1;
    }

    // ------------------------------------------------------------------------------------------------
    // reads

    /** The field equal to the bytes (an integer field matches its decimal form, as in Redis), or {@link #NONE}. */
    public long find(final DirectBuffer src, final int offset, final int length)
    {
        final int first = listpack.first();
        return first == ListpackFlyweight.NONE ? NONE : listpack.find(first, src, offset, length, 1);
    }

    /** The first field, or {@link #NONE} for an empty hash. */
    public long first()
    {
        return listpack.first();
    }

    /** The field after the field at {@code field}, or {@link #NONE}. */
    public long next(final long field)
    {
        return listpack.next(listpack.next((int)field));
    }

    /** The position of the value of the field at {@code field}. */
    public long valueOf(final long field)
    {
        return listpack.next((int)field);
    }

    /** The field number {@code index} (0-based, in the hash's own order), or {@link #NONE}. */
    public long fieldAt(final long index)
    {
        return index < 0 ? NONE : listpack.seek(index * 2);
    }

    /** Decode the field or value at {@code position}: see {@link #isInteger}, {@link #address}. */
    public HashFlyweight load(final long position)
    {
        listpack.load((int)position);
        elementInteger = listpack.isInteger();
        if (elementInteger)
        {
            elementValue = listpack.integer();
            elementAddress = 0;
            elementLength = 0;
        }
        else
        {
            elementValue = 0;
            elementAddress = entry.valueAddress() + listpack.stringOffset();
            elementLength = listpack.stringLength();
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
    // encoding rules

    /**
     * Whether a hash of {@code fields} fields whose longest new field or value is {@code longest} bytes stays a
     * listpack under the thresholds (Redis's hashTypeTryConversion and the entries check after hashTypeSet).
     */
    public static boolean fitsListpack(final long fields, final long longest, final long maxEntries, final long maxValue)
    {
        return fields <= maxEntries && longest <= maxValue;
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
     * Set {@code field} to {@code value} (Redis's hashTypeSet), after {@link #wrap} of db's found entry.
     *
     * @return 1 when the field was added, 0 when an existing field was updated, -1 when memory is exhausted
     *         (the hash is then unchanged).
     */
    public int set(final Keyspace keyspace, final Database db, final DirectBuffer src, final int fieldOffset,
        final int fieldLength, final DirectBuffer valueSrc, final int valueOffset, final int valueLength)
    {
        final long field = find(src, fieldOffset, fieldLength);
        final int total = listpack.totalBytes();
        if (field != NONE)
        {
            final int value = (int)valueOf(field);
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
     * hashTypeDelete). The caller deletes the key when the hash is left empty.
     */
    public void delete(final Keyspace keyspace, final Database db, final long field)
    {
        final int at = listpack.delete((int)field);
        listpack.delete(at);
        final int after = listpack.totalBytes();
        resize(keyspace, db, after, after);
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
}
