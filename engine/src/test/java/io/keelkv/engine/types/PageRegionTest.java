package io.keelkv.engine.types;

import io.keelkv.engine.memory.PageAccessException;
import io.keelkv.engine.memory.PageMemory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A region writes through the address its wrap checked: it must still refuse what PageMemory's own writes
 * refuse, a write outside the region, and a write into a page freed since (checked again after a release).
 */
class PageRegionTest
{
    private final PageMemory memory = new PageMemory();

    @AfterEach
    void close()
    {
        memory.close();
    }

    @Test
    void shouldWriteWhatPageMemoryReadsBack()
    {
        final long handle = memory.allocate(64, true);
        final PageRegion region = new PageRegion(memory).wrap(handle, 64);
        region.putByte(3, (byte)7);
        region.putLong(8, 0x0102030405060708L);
        region.putBytes(20, new UnsafeBuffer(new byte[] {1, 2, 3}), 0, 3);
        region.move(21, 20, 3);
        assertEquals(7, memory.getByte(handle + 3));
        assertEquals(0x0102030405060708L, memory.getLong(handle + 8));
        assertEquals(0x0102030405060708L, region.getLong(8));
        assertEquals(1, memory.getByte(handle + 20));
        assertEquals(1, memory.getByte(handle + 21));
        assertEquals(2, memory.getByte(handle + 22));
        assertEquals(3, memory.getByte(handle + 23));
    }

    @Test
    void shouldRefuseAWriteOutsideTheRegion()
    {
        final PageRegion region = new PageRegion(memory).wrap(memory.allocate(64, true), 16);
        assertThrows(IndexOutOfBoundsException.class, () -> region.putByte(16, (byte)1));
        assertThrows(IndexOutOfBoundsException.class, () -> region.putLong(9, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> region.move(10, 0, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> region.putBytes(-1, new UnsafeBuffer(new byte[1]), 0, 1));
    }

    @Test
    void shouldRefuseAWriteIntoAPageFreedSinceTheWrap()
    {
        final int bytes = 3 * 65536; // a span of its own pages: freeing it frees them
        final long handle = memory.allocate(bytes, true);
        final PageRegion region = new PageRegion(memory).wrap(handle, bytes);
        region.putByte(0, (byte)1);
        memory.free(handle, bytes);
        assertThrows(PageAccessException.class, () -> region.putByte(0, (byte)2));
        assertThrows(PageAccessException.class, () -> region.putLong(8, 2));
        assertThrows(PageAccessException.class, () -> region.move(1, 0, 4));
    }
}
