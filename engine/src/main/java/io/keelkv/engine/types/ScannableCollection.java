package io.keelkv.engine.types;

/**
 * What HSCAN and SSCAN need of a collection, whatever its encoding (implemented by {@link HashFlyweight} and
 * {@link SetFlyweight}): a compact encoding is walked whole ({@link #first}, {@link #next}), a hashtable is
 * scanned with the dict's cursor ({@link #scan}); {@link #loadKey} decodes the field or member that MATCH tests,
 * read through {@link #isInteger}, {@link #integer}, {@link #address} and {@link #stringLength}.
 */
public interface ScannableCollection
{
    long NONE = -1;

    boolean isHashtable();

    long scan(long cursor, PagedDict.ElementVisitor visitor);

    long first();

    long next(long position);

    /** Decode the field (hash) or member (set) at {@code position}. */
    void loadKey(long position);

    boolean isInteger();

    long integer();

    long address();

    int stringLength();
}
