package io.keelkv.engine.types;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.concurrent.UnsafeBuffer;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;
import static io.keelkv.engine.types.SetFlyweight.BYTE_BASE;

/**
 * A set being built outside any key: the result of SINTERSTORE, SUNION(STORE), SDIFF(STORE), and SPOP's set of
 * remaining members (Redis's {@code dstset = createIntsetObject()} followed by setTypeAdd calls). It starts as
 * an intset in a heap scratch buffer (bounded by set-max-intset-entries, reused between commands, so a small
 * result allocates nothing once warm) and becomes a detached member-only {@link PagedDict} in page memory under
 * the same rules as a stored set ({@link SetFlyweight#add}), so a stored result gets the encoding Redis gives it.
 *
 * <p>Then either {@link #install} makes it the value of a key (the intset's bytes are copied into the entry
 * through {@link PageMemory}; a dict's root handle becomes the value), or the caller replies from it and calls
 * {@link #discard}. One builder per command family; one result at a time.
 */
public final class SetBuilder
{
    private final PageMemory memory;
    private final EntryFlyweight entry;
    private final PagedDict dict;
    private final PagedDictIterator iterator;
    private final IntsetFlyweight intset = new IntsetFlyweight();
    private final BufferRegion region = new BufferRegion();
    private final SetFlyweight parser;
    private final byte[] digits = new byte[24];
    private UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
    private boolean hashtable;
    private long root = NULL_HANDLE;
    private long maxIntsetEntries;

    private boolean elementInteger;
    private long elementValue;
    private long elementAddress;
    private int elementLength;

    public SetBuilder(final PageMemory memory)
    {
        this.memory = memory;
        this.entry = new EntryFlyweight(memory);
        this.dict = new PagedDict(memory);
        this.iterator = new PagedDictIterator(memory);
        this.parser = new SetFlyweight(memory);
    }

    /** Start an empty result (an intset); a previous result must have been installed or discarded. */
    public SetBuilder reset(final long maxIntsetEntries)
    {
        if (root != NULL_HANDLE)
        {
            throw new IllegalStateException("a set result was neither installed nor discarded");
        }
        this.maxIntsetEntries = maxIntsetEntries;
        hashtable = false;
        intset.wrap(region.wrap(scratch, 0, scratch.capacity())).init();
        return this;
    }

    public boolean isHashtable()
    {
        return hashtable;
    }

    public long size()
    {
        return hashtable ? dict.wrap(root).size() : intset.length();
    }

    /** setTypeAdd of the bytes: {@link PagedDict#ADDED}, {@link PagedDict#UPDATED} or {@link PagedDict#OUT_OF_MEMORY}. */
    public int add(final Object base, final long address, final int length)
    {
        if (!hashtable)
        {
            if (parser.parseInteger(base, address, length))
            {
                return addInteger(parser.parsed());
            }
            if (!convert())
            {
                return PagedDict.OUT_OF_MEMORY;
            }
        }
        return dict.wrap(root).add(base, address, length);
    }

    /** setTypeAdd of an intset member read from another set. */
    public int addInteger(final long value)
    {
        if (hashtable)
        {
            final int length = HashFlyweight.formatLong(value, digits);
            return dict.wrap(root).add(digits, BYTE_BASE, length);
        }
        final long after = intset.sizeAfterAdd(value);
        if (after == intset.sizeInBytes())
        {
            return PagedDict.UPDATED;
        }
        if (after > scratch.capacity())
        {
            final UnsafeBuffer grown = new UnsafeBuffer(new byte[(int)Math.max(after, scratch.capacity() * 2L)]);
            grown.putBytes(0, scratch, 0, intset.sizeInBytes());
            scratch = grown;
            intset.wrap(region.wrap(scratch, 0, scratch.capacity()));
        }
        intset.add(value);
        if (intset.length() > maxIntsetEntries && !convert())
        {
            intset.remove(value);
            return PagedDict.OUT_OF_MEMORY;
        }
        return PagedDict.ADDED;
    }

    /** setTypeAdd of the member last loaded by {@code from}. */
    public int addLoaded(final SetFlyweight from)
    {
        return from.isInteger() ? addInteger(from.integer()) : add(null, from.address(), from.stringLength());
    }

    /** setTypeRemove of the member last loaded by {@code from} (SDIFF's second algorithm). */
    public void removeLoaded(final SetFlyweight from)
    {
        if (from.isInteger())
        {
            if (hashtable)
            {
                final int length = HashFlyweight.formatLong(from.integer(), digits);
                dict.wrap(root).delete(digits, BYTE_BASE, length);
            }
            else
            {
                intset.remove(from.integer());
            }
        }
        else if (hashtable)
        {
            dict.wrap(root).delete(null, from.address(), from.stringLength());
        }
        // a string that is not a canonical integer is in no intset
        else if (parser.parseInteger(null, from.address(), from.stringLength()))
        {
            intset.remove(parser.parsed());
        }
    }

    private boolean convert()
    {
        final long created = dict.create(false);
        if (created == NULL_HANDLE)
        {
            return false;
        }
        final int count = intset.length();
        for (int i = 0; i < count; i++)
        {
            final int length = HashFlyweight.formatLong(intset.get(i), digits);
            if (dict.add(digits, BYTE_BASE, length) == PagedDict.OUT_OF_MEMORY)
            {
                free(created);
                return false;
            }
        }
        root = created;
        hashtable = true;
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // reading the result (one pass at a time)

    public long first()
    {
        if (hashtable)
        {
            final long element = iterator.reset(root).next();
            return element == NULL_HANDLE ? SetFlyweight.NONE : element;
        }
        return intset.length() > 0 ? 0 : SetFlyweight.NONE;
    }

    public long next(final long member)
    {
        if (hashtable)
        {
            final long element = iterator.next();
            return element == NULL_HANDLE ? SetFlyweight.NONE : element;
        }
        return member + 1 < intset.length() ? member + 1 : SetFlyweight.NONE;
    }

    public SetBuilder load(final long member)
    {
        if (hashtable)
        {
            final DictElementFlyweight element = iterator.element();
            elementInteger = false;
            elementAddress = element.fieldAddress();
            elementLength = element.fieldLength();
        }
        else
        {
            elementInteger = true;
            elementValue = intset.get((int)member);
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

    public long address()
    {
        return elementAddress;
    }

    public int stringLength()
    {
        return elementLength;
    }

    // ------------------------------------------------------------------------------------------------
    // handing the result over

    /** Free the result (after replying from it). */
    public void discard()
    {
        if (root != NULL_HANDLE)
        {
            free(root);
            root = NULL_HANDLE;
        }
        hashtable = false;
    }

    /**
     * Make the (non-empty) result the value of a key, as Redis's setKey (store commands: the TTL goes) or
     * dbOverwrite (SPOP: the TTL stays). A lookupWrite of the key must come just before: db's found entry is
     * the key's (of any type: it is overwritten) or none (a new entry is added under the key bytes given).
     *
     * @return the entry handle, or NULL_HANDLE when memory ran out (the result is then discarded and the key
     *         left as it was).
     */
    public long install(final Keyspace keyspace, final Database db, final Object keyBase, final long keyAddress,
        final int keyLength, final boolean keepTtl)
    {
        final int encoding = hashtable ? ObjectType.ENCODING_HT : ObjectType.ENCODING_INTSET;
        final int bytes = hashtable ? SetFlyweight.ROOT_BYTES : intset.sizeInBytes();
        long e = db.foundEntry();
        if (e == NULL_HANDLE)
        {
            e = keyspace.addEntry(db, keyBase, keyAddress, keyLength, ObjectType.SET, encoding, bytes, -1);
            if (e == NULL_HANDLE)
            {
                discard();
                return NULL_HANDLE;
            }
            entry.wrap(e);
        }
        else
        {
            if (!keepTtl && entry.wrap(e).hasExpire())
            {
                e = keyspace.setExpire(db, -1);
                if (e == NULL_HANDLE)
                {
                    discard();
                    return NULL_HANDLE;
                }
            }
            // the old value's root (if it owns blocks) is read first and released only after the resize: a failed
            // resize leaves the old value whole
            final long owned = keyspace.ownedRoot(e);
            e = keyspace.resizeValue(db, bytes, 0);
            if (e == NULL_HANDLE)
            {
                discard();
                return NULL_HANDLE;
            }
            keyspace.releaseOwned(owned);
            entry.wrap(e);
            entry.meta(ObjectType.SET, encoding, entry.hasExpire(), entry.clock());
        }
        if (hashtable)
        {
            memory.putLong(entry.valueHandle(), root);
            root = NULL_HANDLE;
            hashtable = false;
        }
        else
        {
            memory.putBytes(entry.valueHandle(), scratch.byteArray(), BYTE_BASE, bytes);
        }
        return e;
    }

    private void free(final long dictRoot)
    {
        while (!dict.freeStep(dictRoot, Integer.MAX_VALUE))
        {
            // one call frees everything; the loop only guards the contract
        }
    }
}
