package io.keelkv.engine.types;

/**
 * Layout of one element of a paged dict ({@link PagedDict}): a hash's field and value, or a set's member,
 * in one block, chained to the next element of its bucket. All numbers little-endian.
 * <pre>
 *   hash element                                     set element
 *  +-----------------------------------------+      +-----------------------------------------+
 *  |   next element in the bucket (handle)   | 0    |   next element in the bucket (handle)   | 0
 *  +--------------------+--------------------+      +--------------------+--------------------+
 *  |  field length (4)  |  value length (4)  | 8    |  member length (4) |   member bytes ...  | 8
 *  +--------------------+--------------------+      +--------------------+                     |
 *  |  field bytes ...   |  value bytes ...   | 16   |                                         |
 *  +-----------------------------------------+      +-----------------------------------------+
 * </pre>
 * Whether elements carry a value is the dict's ({@link DictRootDescriptor#FLAG_VALUES}), not each
 * element's: a set element saves the 4 bytes of a value length that would always be 0. The block is exactly
 * {@link #elementLength} bytes as allocated (rounded up by the allocator to its size class), so an element
 * knows its own size when it is freed. The field's hash is not kept: a rehash recomputes it from the field
 * bytes, as Redis's dict does.
 */
public final class DictElementDescriptor
{
    public static final int NEXT_OFFSET = 0;
    public static final int FIELD_LENGTH_OFFSET = 8;
    public static final int VALUE_LENGTH_OFFSET = 12;
    public static final int HASH_HEADER_LENGTH = 16;
    public static final int SET_HEADER_LENGTH = 12;

    private DictElementDescriptor()
    {
    }

    public static int headerLength(final boolean withValue)
    {
        return withValue ? HASH_HEADER_LENGTH : SET_HEADER_LENGTH;
    }

    public static long elementLength(final boolean withValue, final int fieldLength, final int valueLength)
    {
        return headerLength(withValue) + (long)fieldLength + (withValue ? valueLength : 0);
    }
}
