package io.keelkv.engine.aof;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.snapshot.SnapshotHeaderDescriptor;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads one AOF file of RESP commands, as Redis 7.0's {@code loadSingleAppendOnlyFile} loads a base or
 * incremental file, and hands each complete command to a {@link CommandSink}.
 *
 * <p>Why a reader of its own and not the connection's decoder: the decoder serves a socket, where a
 * malformed request is answered and the connection closed; here every malformed byte must be classified
 * as a torn tail (cut it, if {@code aof-load-truncated} allows) or as damage (refuse to start), and the
 * difference decides whether data is silently lost.
 *
 * <p>Grammar, as Redis writes it: a command is {@code *<argc>\r\n} then argc times {@code $<len>\r\n},
 * len bytes, {@code \r\n}; a line starting with {@code #} is an annotation (aof-timestamp-enabled's
 * {@code #TS:<unix time>\r\n}) and is skipped. Every count and length is checked before it is used:
 * digits only (no sign, space or LF-only line ending; at most 20 digits, no 64-bit overflow); argc in
 * [1, 2^31-1]; len at most proto-max-bulk-len; the command at most one buffer (2 GiB, {@link Args} is
 * int-indexed); a length the file cannot hold is a cut command, never an allocation. Nothing is sized from
 * a count: argument slots grow as arguments arrive.
 *
 * <p>Outcomes. The end of the valid commands is found here, because {@link MappedAppendFile} leaves a
 * crashed file as commands, then possibly a cut command, then zeros up to the chunk end:
 * <ul>
 *   <li>End of file or only zeros after a complete command: {@link AofReadResult.Tail#NONE} or
 *       {@link AofReadResult.Tail#ZERO_PADDING}, nothing lost. Redis 7.0 calls zeros "Bad file format";
 *       KeelKV's own file layer writes them, so here they are the end.</li>
 *   <li>A command cut by the end of the file, or whose rest is zeros up to it, or a MULTI without EXEC: a
 *       torn tail (Redis's "Unexpected end of file" and "Revert incomplete MULTI/EXEC transaction"); the
 *       result says where the last complete command or transaction ends, the caller decides.</li>
 *   <li>Any other byte where the grammar wants another, and zeros followed by more data: an
 *       {@link AofReadException} naming the file and offset, as Redis 7.0 exits on a bad format even
 *       with aof-load-truncated. Damage is never taken for a tail: after a crash the kernel leaves
 *       pages either written or zero, never garbage.</li>
 *   <li>A file that starts with "REDIS" or with KeelKV's snapshot magic, or of zero bytes: a distinct
 *       {@link AofReadResult.Kind}, read no further.</li>
 * </ul>
 * Stricter than redis-server 7.0.15, which was checked with crafted files (AofReaderTest lists them): it
 * does not check the {@code \r\n} after an argument, loads a nested MULTI or an EXEC without MULTI, skips
 * NUL bytes in an annotation, and aborts on {@code $-1} (assertion) or a huge length (out of memory);
 * here all of these are errors, as redis-check-aof reports them. Where a cut falls inside a transaction,
 * redis-server truncates after the last queued command, leaving the MULTI open in the file; here the
 * valid length is the MULTI's offset, redis-check-aof's {@code ok_up_to}.
 *
 * <p>Transactions. MULTI and EXEC are not handed to the sink (the engine serves neither; matched on the
 * first argument, case-insensitively, as redis-check-aof does): the commands between them are handed on,
 * in order and each with its own offset, only once the EXEC has been read. They are not buffered: the
 * first pass only checks them, and at EXEC they are parsed again from the window (read again from the
 * file if the window has moved on), so a transaction of any size costs no memory beyond one command.
 *
 * <p>Threads: one thread calls {@link #read}; any thread may read {@link #bytesRead()} (for INFO's
 * loading_loaded_bytes). Allocation: one growable direct buffer and the argument slots, reused for every
 * command and every file; nothing per command, except the sink's own work.
 */
public final class AofReader implements AutoCloseable
{
    /** Redis's default proto-max-bulk-len. */
    public static final long DEFAULT_PROTO_MAX_BULK_LEN = 512L << 20;
    /** Redis reads an annotation with fgets into 1024 bytes (AOF_ANNOTATION_LINE_MAX_LEN): 1023 with its '\n'. */
    public static final int ANNOTATION_LINE_MAX_BYTES = 1023;
    static final int DEFAULT_BUFFER_BYTES = 64 << 10;
    static final int MAX_COMMAND_BYTES = Integer.MAX_VALUE;

    private static final int MAX_DIGITS = 20;
    private static final int COMPLETE = 0;
    private static final int CUT_AT_END = 1;
    private static final int CUT_INTO_ZEROS = 2;
    private static final byte[] MULTI = "multi".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "exec".getBytes(StandardCharsets.US_ASCII);
    private static final long BYTES_READ_OFFSET = UnsafeApi.objectFieldOffset(AofReader.class, "bytesRead");

    private final long protoMaxBulkLen;
    private final int maxCommandBytes;
    private final FileWindow window;
    private final Args args = new Args();
    private int[] argOffsets = new int[16]; // relative to the command's start
    private int[] argLengths = new int[16];
    private int argCount;

    // the file being read
    private Path file;
    private long size;
    private long position;
    private long validLength;
    private long number; // parseCount's value
    private long cursor; // the end of what parseCount, parseCommand or skipAnnotation read

    private long bytesReadBefore;
    @SuppressWarnings("unused")
    private volatile long bytesRead; // written with release, read with acquire

    /**
     * @param protoMaxBulkLen the longest argument accepted, in bytes (proto-max-bulk-len).
     */
    public AofReader(final long protoMaxBulkLen)
    {
        this(protoMaxBulkLen, DEFAULT_BUFFER_BYTES, MAX_COMMAND_BYTES);
    }

    AofReader(final long protoMaxBulkLen, final int initialBufferBytes, final int maxCommandBytes)
    {
        if (protoMaxBulkLen < 1 || initialBufferBytes < SnapshotHeaderDescriptor.MAGIC_LENGTH ||
            maxCommandBytes < initialBufferBytes)
        {
            throw new IllegalArgumentException("protoMaxBulkLen " + protoMaxBulkLen + ", initialBufferBytes " +
                initialBufferBytes + ", maxCommandBytes " + maxCommandBytes);
        }
        this.protoMaxBulkLen = protoMaxBulkLen;
        this.maxCommandBytes = maxCommandBytes;
        this.window = new FileWindow(initialBufferBytes, maxCommandBytes);
    }

    /**
     * Read {@code file} from {@code fromOffset} to its end, handing every complete command to {@code sink}.
     *
     * @param file       an AOF base or incremental file.
     * @param fromOffset where its RESP commands begin (0 for a whole file; the base magics are only looked
     *                   for at 0).
     * @param sink       receives the commands.
     * @return what the file holds and where its valid commands end.
     * @throws AofReadException if the file is damaged, too large to read, cannot be read, or the sink refused.
     */
    public AofReadResult read(final Path file, final long fromOffset, final CommandSink sink) throws AofReadException
    {
        if (fromOffset < 0)
        {
            throw new IllegalArgumentException("fromOffset " + fromOffset);
        }
        this.file = file;
        this.position = fromOffset;
        this.validLength = fromOffset;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            size = channel.size();
            window.open(channel, size);
            if (fromOffset > size)
            {
                throw new AofReadException(file, fromOffset, -1, AofReadException.Reason.READ_ERROR,
                    "cannot start reading at offset " + fromOffset + ": the file has " + size + " bytes", null);
            }
            final AofReadResult.Kind kind = fromOffset == 0 ? baseKind() : AofReadResult.Kind.COMMANDS;
            final AofReadResult result = kind == AofReadResult.Kind.COMMANDS ? readCommands(fromOffset, sink) :
                new AofReadResult(file, kind, AofReadResult.Tail.NONE, 0, 0, 0, size);
            bytesReadBefore += size - fromOffset;
            UnsafeApi.putLongRelease(this, BYTES_READ_OFFSET, bytesReadBefore);
            return result;
        }
        catch (final AofReadException ex)
        {
            throw ex;
        }
        catch (final NoSuchFileException ex)
        {
            throw new AofReadException(file, 0, -1, AofReadException.Reason.NO_SUCH_FILE, "no such file", ex);
        }
        catch (final IOException ex)
        {
            throw new AofReadException(file, position, validLength, AofReadException.Reason.READ_ERROR,
                String.valueOf(ex), ex);
        }
    }

    /**
     * @return bytes of files read so far by this reader, the current one up to its last complete element:
     * Redis's INFO loading_loaded_bytes. Any thread.
     */
    public long bytesRead()
    {
        return UnsafeApi.getLongAcquire(this, BYTES_READ_OFFSET);
    }

    /** The read buffer's size now: it grows for a large command and stays so until {@link #close()}. */
    int bufferCapacity()
    {
        return window.capacity();
    }

    /** Frees the read buffer. */
    @Override
    public void close()
    {
        window.close();
    }

    private AofReadResult.Kind baseKind() throws IOException
    {
        if (size == 0)
        {
            return AofReadResult.Kind.EMPTY;
        }
        final int available = (int)Math.min(size, SnapshotHeaderDescriptor.MAGIC_LENGTH);
        window.ensure(0, 0, available);
        if (window.startsWith(SnapshotHeaderDescriptor.REDIS_RDB_MAGIC, available))
        {
            return AofReadResult.Kind.REDIS_RDB;
        }
        if (window.startsWith(SnapshotHeaderDescriptor.MAGIC, available))
        {
            return AofReadResult.Kind.KEEL_SNAPSHOT;
        }
        return AofReadResult.Kind.COMMANDS;
    }

    private AofReadResult readCommands(final long fromOffset, final CommandSink sink) throws IOException
    {
        long commands = 0;
        boolean inMulti = false;
        long bodyStart = 0;
        AofReadResult.Tail tail = AofReadResult.Tail.NONE;
        while (position < size)
        {
            UnsafeApi.putLongRelease(this, BYTES_READ_OFFSET, bytesReadBefore + position - fromOffset);
            final int first = window.byteAt(position, position);
            if (first == '*')
            {
                final int status = parseCommand(position);
                if (status != COMPLETE)
                {
                    tail = status == CUT_AT_END ? AofReadResult.Tail.CUT_COMMAND : AofReadResult.Tail.CUT_INTO_ZEROS;
                    break;
                }
                final long end = cursor;
                if (args.equalsIgnoreCase(0, MULTI))
                {
                    if (inMulti)
                    {
                        throw error(AofReadException.Reason.NESTED_MULTI, position,
                            "MULTI inside the transaction whose MULTI is at offset " + validLength);
                    }
                    inMulti = true;
                    bodyStart = end;
                }
                else if (args.equalsIgnoreCase(0, EXEC))
                {
                    if (!inMulti)
                    {
                        throw error(AofReadException.Reason.EXEC_WITHOUT_MULTI, position, "EXEC without MULTI");
                    }
                    commands += replay(bodyStart, position, sink);
                    inMulti = false;
                }
                else if (!inMulti)
                {
                    sink.onCommand(args, position);
                    commands++;
                }
                position = end;
            }
            else if (first == '#')
            {
                if (skipAnnotation(position) != COMPLETE)
                {
                    tail = AofReadResult.Tail.CUT_ANNOTATION;
                    break;
                }
                position = cursor;
            }
            else if (first == 0)
            {
                damage(position, position, "zero bytes");
                tail = AofReadResult.Tail.ZERO_PADDING;
                break;
            }
            else
            {
                throw badFormat(position, position, "expected '*' (a command) or '#' (an annotation), found " +
                    describe(first));
            }
            if (!inMulti)
            {
                validLength = position;
            }
        }
        if (inMulti)
        {
            tail = AofReadResult.Tail.UNFINISHED_MULTI; // validLength stayed at the MULTI
        }
        return new AofReadResult(file, AofReadResult.Kind.COMMANDS, tail, commands, fromOffset, validLength, size);
    }

    /** Hand on the commands of a transaction, [from, to) up to its EXEC, now that the EXEC has been read. */
    private long replay(final long from, final long to, final CommandSink sink) throws IOException
    {
        long at = from;
        long delivered = 0;
        while (at < to)
        {
            final boolean annotation = window.byteAt(at, at) == '#';
            final int status = annotation ? skipAnnotation(at) : parseCommand(at);
            if (status != COMPLETE || cursor > to)
            {
                throw error(AofReadException.Reason.READ_ERROR, at,
                    "the transaction read differently the second time: the file changed while it was loaded");
            }
            if (!annotation)
            {
                sink.onCommand(args, at);
                delivered++;
            }
            at = cursor;
        }
        return delivered;
    }

    /**
     * Parse the command at {@code start} into {@link #args}; on COMPLETE, {@link #cursor} is its end.
     *
     * @return COMPLETE, CUT_AT_END or CUT_INTO_ZEROS.
     * @throws AofReadException if it is malformed.
     */
    private int parseCommand(final long start) throws IOException
    {
        int status = parseCount(start, start, '*');
        if (status != COMPLETE)
        {
            return status;
        }
        if (number < 1 || number > Integer.MAX_VALUE)
        {
            throw badFormat(start, start, "a command of " + number + " arguments (Redis needs 1 to 2147483647)");
        }
        final long argc = number;
        argCount = 0;
        long at = cursor;
        for (long i = 0; i < argc; i++)
        {
            status = parseCount(start, at, '$');
            if (status != COMPLETE)
            {
                return status;
            }
            final long length = number;
            final long payload = cursor;
            if (length > protoMaxBulkLen)
            {
                throw error(AofReadException.Reason.TOO_LARGE, at, "an argument of " + length +
                    " bytes in the command at offset " + start + ": more than proto-max-bulk-len (" + protoMaxBulkLen + ")");
            }
            final long available = size - payload;
            if (length >= available)
            {
                return CUT_AT_END; // the file cannot hold it (nor its \r): nothing is allocated for it
            }
            if (payload + length + 2 - start > maxCommandBytes)
            {
                throw error(AofReadException.Reason.TOO_LARGE, at, "the command at offset " + start +
                    " is longer than the " + maxCommandBytes + " bytes KeelKV can hold in one command");
            }
            window.ensure(start, payload, (int)Math.min(length + 2, available));
            final long crlf = payload + length;
            final UnsafeBuffer buffer = window.buffer();
            if (buffer.getByte(window.index(crlf)) != '\r')
            {
                return damage(start, crlf, "expected \\r\\n after the " + length + "-byte argument, found " +
                    describe(buffer.getByte(window.index(crlf)) & 0xFF));
            }
            if (crlf + 1 == size)
            {
                return CUT_AT_END;
            }
            if (buffer.getByte(window.index(crlf + 1)) != '\n')
            {
                return damage(start, crlf + 1, "expected \\n after \\r, found " +
                    describe(buffer.getByte(window.index(crlf + 1)) & 0xFF));
            }
            addArgument((int)(payload - start), (int)length);
            at = crlf + 2;
        }
        cursor = at;
        args.reset(window.buffer());
        final int base = window.index(start);
        for (int i = 0; i < argCount; i++)
        {
            args.add(base + argOffsets[i], argLengths[i]);
        }
        return COMPLETE;
    }

    /**
     * Parse {@code <prefix><digits>\r\n} at {@code at} into {@link #number}, {@link #cursor} after it.
     *
     * @param keep the start of the command, kept in the window.
     */
    private int parseCount(final long keep, final long at, final char prefix) throws IOException
    {
        int b = window.byteAt(keep, at);
        if (b != prefix)
        {
            return damage(keep, at, "expected '" + prefix + "', found " + describe(b));
        }
        long value = 0;
        int digits = 0;
        long p = at + 1;
        while ((b = window.byteAt(keep, p)) >= '0' && b <= '9')
        {
            final int digit = b - '0';
            if (++digits > MAX_DIGITS || value > (Long.MAX_VALUE - digit) / 10)
            {
                throw error(prefix == '$' ? AofReadException.Reason.TOO_LARGE : AofReadException.Reason.BAD_FORMAT, at,
                    "the " + (prefix == '$' ? "length" : "count") + " at offset " + at + " does not fit 64 bits" +
                    " (in the command at offset " + keep + ")");
            }
            value = value * 10 + digit;
            p++;
        }
        if (digits == 0)
        {
            return damage(keep, p, "expected a digit after '" + prefix + "', found " + describe(b));
        }
        if (b != '\r')
        {
            return damage(keep, p, "expected \\r\\n after '" + prefix + value + "', found " + describe(b));
        }
        b = window.byteAt(keep, p + 1);
        if (b != '\n')
        {
            return damage(keep, p + 1, "expected \\n after \\r, found " + describe(b));
        }
        number = value;
        cursor = p + 2;
        return COMPLETE;
    }

    /** Skip a {@code #} line; {@link #cursor} after its '\n'. */
    private int skipAnnotation(final long start) throws IOException
    {
        final long limit = Math.min(size, start + ANNOTATION_LINE_MAX_BYTES);
        for (long p = start + 1; p < limit; p++)
        {
            final int b = window.byteAt(start, p);
            if (b == '\n')
            {
                cursor = p + 1;
                return COMPLETE;
            }
            if (b == 0)
            {
                // Redis skips a NUL here; in a KeelKV file it is unwritten space, so the zeros rule decides
                return damage(start, p, "a zero byte in the annotation");
            }
        }
        if (start + ANNOTATION_LINE_MAX_BYTES > size)
        {
            return CUT_AT_END;
        }
        throw badFormat(start, limit, "an annotation line longer than " + ANNOTATION_LINE_MAX_BYTES +
            " bytes (Redis reads the rest as a new line)");
    }

    /**
     * The grammar wanted something else at {@code at}: the end of the file, or zeros up to it, are a cut;
     * zeros followed by data, or any other byte, are damage.
     */
    private int damage(final long elementStart, final long at, final String detail) throws IOException
    {
        final int b = window.byteAt(at, at);
        if (b < 0)
        {
            return CUT_AT_END;
        }
        if (b != 0)
        {
            throw badFormat(elementStart, at, detail);
        }
        final long data = window.firstNonZero(at);
        if (data < 0)
        {
            return CUT_INTO_ZEROS;
        }
        throw error(AofReadException.Reason.ZEROS_BEFORE_DATA, at, (data - at) + " zero bytes from offset " + at +
            (at == elementStart ? "" : " (inside the element at offset " + elementStart + ")") + ", then data at offset " +
            data + ": a crash can leave such a hole when pages reach the disk out of order, and nothing after it" +
            " can be trusted");
    }

    private AofReadException badFormat(final long elementStart, final long at, final String detail)
    {
        return error(AofReadException.Reason.BAD_FORMAT, at,
            detail + (at == elementStart ? "" : " (in the element at offset " + elementStart + ")"));
    }

    private AofReadException error(final AofReadException.Reason reason, final long at, final String detail)
    {
        return new AofReadException(file, at, validLength, reason, detail, null);
    }

    private void addArgument(final int offset, final int length)
    {
        if (argCount == argOffsets.length)
        {
            argOffsets = Arrays.copyOf(argOffsets, argCount * 2);
            argLengths = Arrays.copyOf(argLengths, argCount * 2);
        }
        argOffsets[argCount] = offset;
        argLengths[argCount] = length;
        argCount++;
    }

    private static String describe(final int b)
    {
        if (b < 0)
        {
            return "the end of the file";
        }
        return b >= 0x20 && b < 0x7F ? "'" + (char)b + "'" : String.format("byte 0x%02x", b);
    }
}
