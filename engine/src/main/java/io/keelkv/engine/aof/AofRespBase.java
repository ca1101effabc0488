package io.keelkv.engine.aof;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.ObjectType;
import io.keelkv.engine.memory.PageMemory;
import io.keelkv.engine.types.HashFlyweight;
import io.keelkv.engine.types.Quicklist;
import io.keelkv.engine.types.SetFlyweight;
import io.keelkv.engine.types.ZsetFlyweight;
import io.keelkv.engine.text.DoubleFormat;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The dataset as RESP commands: the base of an AOF with {@code aof-use-rdb-preamble no}, which any Redis 7.0
 * loads. What Redis's rewriteAppendOnlyFileRio writes: {@code SELECT db} before each database's keys,
 * {@code SET key value} for a string, {@code HMSET key field value ...} (64 pairs a command) for a hash, then
 * {@code PEXPIREAT key ms} for a key with a deadline. Runs on the owner
 * thread over the live keyspace (at start, before any client), so what it writes is one instant.
 *
 * <p>Memory: one 1 MiB direct buffer; a value larger than what is left of it is written in pieces.
 */
public final class AofRespBase implements AofDirectory.RespBaseWriter
{
    private static final int BUFFER_BYTES = 1 << 20;
    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEXPIREAT = "PEXPIREAT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSET = "HMSET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SADD = "SADD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RPUSH = "RPUSH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZADD = "ZADD".getBytes(StandardCharsets.US_ASCII);
    /** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
    private static final int ITEMS_PER_COMMAND = 64;

    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    private final HashFlyweight hash;
    private final SetFlyweight set;
    private final ZsetFlyweight zset;
    private final DoubleFormat doubleFormat = new DoubleFormat();
    private final byte[] scoreText = new byte[DoubleFormat.MAX_LENGTH];
    private final Quicklist list;
    private ByteBuffer buffer;
    private UnsafeBuffer view;
    private int used;
    private FileChannel channel;
    private long commands;

    public AofRespBase(final Keyspace keyspace, final PageMemory memory)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(memory);
        this.hash = new HashFlyweight(memory);
        this.set = new SetFlyweight(memory);
        this.zset = new ZsetFlyweight(memory);
        this.list = new Quicklist(memory);
    }

    @Override
    public void write(final Path file) throws IOException
    {
        buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        view = new UnsafeBuffer(buffer);
        used = 0;
        commands = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel = out;
            for (int i = 0; i < keyspace.databaseCount(); i++)
            {
                final Database db = keyspace.database(i);
                if (db.size() == 0)
                {
                    continue;
                }
                header(2);
                bulk(SELECT);
                bulk(Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
                try
                {
                    db.forEach(this::writeEntry);
                }
                catch (final UncheckedIOException ex)
                {
                    throw ex.getCause();
                }
            }
            drain();
            out.force(true);
        }
        finally
        {
            channel = null;
            BufferUtil.free(buffer);
            buffer = null;
        }
    }

    /** Commands written by the last {@link #write}. */
    public long commands()
    {
        return commands;
    }

    private void writeEntry(final long handle)
    {
        entry.wrap(handle);
        try
        {
            switch (entry.type())
            {
                case ObjectType.STRING:
                    header(3);
                    bulk(SET);
                    bulk(entry.keyAddress(), entry.keyLength());
                    bulk(entry.valueAddress(), entry.valueLength());
                    commands++;
                    break;
                case ObjectType.HASH:
                    writeHash(handle);
                    break;
                case ObjectType.SET:
                    writeSet(handle);
                    break;
                case ObjectType.LIST:
                    writeList(handle);
                    break;
                case ObjectType.ZSET:
                    writeZset(handle);
                    break;
                default:
                    throw new IllegalStateException("a RESP base of type " + entry.type() + " is not written yet");
            }
            entry.wrap(handle);
            if (entry.hasExpire())
            {
                header(3);
                bulk(PEXPIREAT);
                bulk(entry.keyAddress(), entry.keyLength());
                bulk(Long.toString(entry.expireAt()).getBytes(StandardCharsets.US_ASCII));
                commands++;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** rewriteHashObject: HMSET key with up to 64 field/value pairs per command. */
    private void writeHash(final long handle) throws IOException
    {
        hash.wrap(handle);
        long items = hash.length();
        int inCommand = 0;
        for (long field = hash.first(); field != HashFlyweight.NONE; field = hash.next(field))
        {
            if (inCommand == 0)
            {
                final int pairs = (int)Math.min(items, ITEMS_PER_COMMAND);
                header(2 + pairs * 2);
                bulk(HMSET);
                bulk(entry.keyAddress(), entry.keyLength());
                commands++;
            }
            element(hash.loadField(field));
            element(hash.loadValue(field));
            items--;
            if (++inCommand == ITEMS_PER_COMMAND)
            {
                inCommand = 0;
            }
        }
    }

    /** rewriteSetObject: SADD key with up to 64 members per command. */
    private void writeSet(final long handle) throws IOException
    {
        set.wrap(handle);
        long items = set.length();
        int inCommand = 0;
        for (long member = set.first(); member != SetFlyweight.NONE; member = set.next(member))
        {
            if (inCommand == 0)
            {
                header(2 + (int)Math.min(items, ITEMS_PER_COMMAND));
                bulk(SADD);
                bulk(entry.keyAddress(), entry.keyLength());
                commands++;
            }
            set.load(member);
            if (set.isInteger())
            {
                bulk(Long.toString(set.integer()).getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                bulk(set.address(), set.stringLength());
            }
            items--;
            if (++inCommand == ITEMS_PER_COMMAND)
            {
                inCommand = 0;
            }
        }
    }

    /** rewriteListObject: RPUSH key with up to 64 elements per command. */
    private void writeList(final long handle) throws IOException
    {
        list.wrap(keyspace.memory().getLong(entry.valueHandle()));
        long items = list.length();
        int inCommand = 0;
        for (boolean more = list.first(); more; more = list.next())
        {
            if (inCommand == 0)
            {
                header(2 + (int)Math.min(items, ITEMS_PER_COMMAND));
                bulk(RPUSH);
                bulk(entry.keyAddress(), entry.keyLength());
                commands++;
            }
            list.load();
            if (list.isInteger())
            {
                bulk(Long.toString(list.integer()).getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                bulk(list.address(), list.stringLength());
            }
            items--;
            if (++inCommand == ITEMS_PER_COMMAND)
            {
                inCommand = 0;
            }
        }
    }

    /** rewriteSortedSetObject: ZADD key with up to 64 score/member pairs per command, scores as "%.17g". */
    private void writeZset(final long handle) throws IOException
    {
        zset.wrap(handle);
        long items = zset.length();
        int inCommand = 0;
        for (boolean more = zset.seek(0); more; more = zset.next())
        {
            if (inCommand == 0)
            {
                header(2 + 2 * (int)Math.min(items, ITEMS_PER_COMMAND));
                bulk(ZADD);
                bulk(entry.keyAddress(), entry.keyLength());
                commands++;
            }
            bulk(scoreText, doubleFormat.format(zset.cursorScore(), scoreText));
            zset.loadMember();
            if (zset.isInteger())
            {
                bulk(Long.toString(zset.integer()).getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                bulk(zset.address(), zset.stringLength());
            }
            items--;
            if (++inCommand == ITEMS_PER_COMMAND)
            {
                inCommand = 0;
            }
        }
    }

    private void element(final HashFlyweight loaded) throws IOException
    {
        if (loaded.isInteger())
        {
            bulk(Long.toString(loaded.integer()).getBytes(StandardCharsets.US_ASCII));
        }
        else
        {
            bulk(loaded.address(), loaded.stringLength());
        }
    }

    private void header(final int count) throws IOException
    {
        room(16);
        view.putByte(used++, (byte)'*');
        used += view.putIntAscii(used, count);
        crlf();
    }

    private void lengthLine(final int length) throws IOException
    {
        room(16);
        view.putByte(used++, (byte)'$');
        used += view.putIntAscii(used, length);
        crlf();
    }

    private void bulk(final byte[] bytes) throws IOException
    {
        lengthLine(bytes.length);
        room(bytes.length + 2);
        view.putBytes(used, bytes);
        used += bytes.length;
        crlf();
    }

    /** The first {@code length} bytes of {@code bytes} (a score's text). */
    private void bulk(final byte[] bytes, final int length) throws IOException
    {
        lengthLine(length);
        room(length + 2);
        view.putBytes(used, bytes, 0, length);
        used += length;
        crlf();
    }

    private void bulk(final long address, final int length) throws IOException
    {
        lengthLine(length);
        int done = 0;
        while (done < length)
        {
            if (used == BUFFER_BYTES)
            {
                drain();
            }
            final int n = Math.min(length - done, BUFFER_BYTES - used);
            UnsafeApi.copyMemory(null, address + done, null, view.addressOffset() + used, n);
            used += n;
            done += n;
        }
        room(2);
        crlf();
    }

    private void crlf()
    {
        view.putByte(used++, (byte)'\r');
        view.putByte(used++, (byte)'\n');
    }

    private void room(final int bytes) throws IOException
    {
        if (used + bytes > BUFFER_BYTES)
        {
            drain();
        }
    }

    private void drain() throws IOException
    {
        buffer.limit(used).position(0);
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
        buffer.clear();
        used = 0;
    }
}
