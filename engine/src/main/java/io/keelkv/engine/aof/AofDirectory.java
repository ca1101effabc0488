package io.keelkv.engine.aof;

import io.keelkv.engine.command.Dispatcher;
import io.keelkv.engine.command.LocalClient;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.resp.RespWriter;
import io.keelkv.engine.snapshot.SnapshotControl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The AOF directory ({@code appenddirname}, Redis 7.0's multi-part layout): finding it, loading it, creating
 * it. The event loop's appending is {@link AofControl}'s; this class is what happens before it starts.
 *
 * <p>Loading, as Redis's loadAppendOnlyFiles: the base, then each incremental file in the manifest's order.
 * A base in KeelKV's snapshot format (what {@code aof-use-rdb-preamble yes} writes) is restored by the
 * snapshot reader, pages and all; a RESP base and the incremental files are replayed through the dispatcher
 * as a replay client (no propagation, no OOM or MISCONF refusals), each file with a fresh client in database
 * 0, as Redis gives each file a fresh fake client. A Redis RDB base is refused by name: KeelKV does not read
 * Redis's RDB. Only the last file may end in a torn command (a crash while appending): with
 * {@code aof-load-truncated yes} it is cut back to its last complete command, with a warning; anywhere else
 * a damaged file stops the start, naming the file and the offset. Zeros after the last command (the unused
 * end of a mapped chunk, left by a crash) are not damage; they are cut so that Redis's own loader, which
 * does not expect them, could read the directory too.
 *
 * <p>Creating, crash-safe: the base (the data as it is now), an empty first incremental file and the
 * manifest are written into a temporary directory, fsynced, and the directory is renamed into place, then
 * its parent fsynced. A crash leaves either no AOF directory (and a leftover temporary one, removed at the
 * next start) or a complete one: never a directory that does not load.
 */
public final class AofDirectory
{
    private static final String TEMP_SUFFIX = ".keelkv-temp";

    private static final long PROGRESS_EVERY_NS = 1_000_000_000L;

    private final Path dir;
    private final String prefix;
    private Consumer<String> progress = line -> { };
    private long totalBytes;
    private long doneBytes;
    private long nextProgressNs;

    /**
     * @param dir    the AOF directory: {@code dir/appenddirname}.
     * @param prefix {@code appendfilename}: the file names' prefix.
     */
    public AofDirectory(final Path dir, final String prefix)
    {
        this.dir = dir;
        this.prefix = prefix;
    }

    public Path dir()
    {
        return dir;
    }

    /**
     * Where a load reports its progress (the server's log): one line per file as Redis writes them ("DB loaded
     * from incr file ...: X seconds"), and during a long replay a line a second with the percentage of bytes.
     */
    public AofDirectory progress(final Consumer<String> progress)
    {
        this.progress = progress == null ? line -> { } : progress;
        return this;
    }

    public String prefix()
    {
        return prefix;
    }

    /**
     * The AOF of this directory, if there is one: empty when the directory does not exist or holds no AOF
     * files. Removes what a crash during {@link #create} left behind.
     *
     * @throws AofManifestException when the directory holds AOF files but no manifest, or a manifest that
     *                              names a missing file or cannot be parsed.
     */
    public Optional<AofManifest> find() throws IOException
    {
        deleteTree(temporaryDir());
        if (!Files.isDirectory(dir))
        {
            return Optional.empty();
        }
        return AofManifest.checkFilesExist(dir, prefix);
    }

    /** What a load found, for the log and INFO. */
    public static final class Loaded
    {
        public long commands;
        public long baseKeys = -1; // -1: no snapshot base
        public long bytes;
        public long elapsedNs;
        public boolean truncated;
        public String truncation;
        /** Where appending goes on: the last incremental file's valid length (0 when the manifest has none). */
        public long lastIncrLength;
    }

    /**
     * Load every file of {@code manifest} into an empty engine.
     *
     * @param warn receives the warnings Redis logs (a torn tail cut, zeros cut).
     * @throws IOException naming the file and the offset when a file cannot be loaded: the start must stop.
     */
    public Loaded load(final AofManifest manifest, final SnapshotControl snapshots, final Dispatcher dispatcher,
        final long protoMaxBulkLen, final boolean loadTruncated, final Consumer<String> warn) throws IOException
    {
        final long start = System.nanoTime();
        final Loaded loaded = new Loaded();
        final List<AofManifest.Entry> incrs = manifest.incrs();
        totalBytes = 0;
        doneBytes = 0;
        nextProgressNs = start + PROGRESS_EVERY_NS;
        manifest.base().ifPresent(entry -> totalBytes += sizeOf(dir.resolve(entry.fileName())));
        for (final AofManifest.Entry incr : incrs)
        {
            totalBytes += sizeOf(dir.resolve(incr.fileName()));
        }
        try (AofReader reader = new AofReader(protoMaxBulkLen))
        {
            final Optional<AofManifest.Entry> base = manifest.base();
            if (base.isPresent())
            {
                final long fileStart = System.nanoTime();
                final Path file = dir.resolve(base.get().fileName());
                presize(file, dispatcher.keyspace());
                if (replay(reader, file, incrs.isEmpty(), true, dispatcher, loadTruncated, warn, loaded) < 0)
                {
                    // the reader found KeelKV's snapshot magic: a base the snapshot reader restores as pages
                    progress.accept("Reading the KeelKV snapshot base file " + file.getFileName() + " on AOF loading...");
                    loaded.baseKeys = snapshots.load(file).keys;
                    loaded.bytes += Files.size(file);
                }
                doneBytes += sizeOf(file);
                progress.accept(String.format(java.util.Locale.ROOT, "DB loaded from base file %s: %.3f seconds",
                    file.getFileName(), (System.nanoTime() - fileStart) / 1e9));
            }
            for (int i = 0; i < incrs.size(); i++)
            {
                final long fileStart = System.nanoTime();
                final Path file = dir.resolve(incrs.get(i).fileName());
                final long size = sizeOf(file);
                final long valid = replay(reader, file, i == incrs.size() - 1, false, dispatcher, loadTruncated, warn,
                    loaded);
                doneBytes += size;
                if (i == incrs.size() - 1)
                {
                    loaded.lastIncrLength = valid;
                }
                progress.accept(String.format(java.util.Locale.ROOT, "DB loaded from incr file %s: %.3f seconds",
                    file.getFileName(), (System.nanoTime() - fileStart) / 1e9));
            }
        }
        loaded.elapsedNs = System.nanoTime() - start;
        return loaded;
    }

    /**
     * Before a RESP base is replayed, give the database it fills a table for the keys it holds, as Redis's RDB
     * loader does from RESIZEDB: otherwise the table doubles and rehashes its way up while it loads, and a
     * replay spends a third of its time there (a 3M-key base loaded in 1.9-2.1 s sized, 2.8-3.3 s not). The
     * count is estimated from the first {@link #SIZING_SAMPLE_BYTES} of the file: commands per byte there times
     * the file's size, which overestimates (a key with a TTL takes two commands) and so never makes the table
     * rehash during the load. The database is the one the sample's first SELECT names. A KeelKV snapshot base,
     * an empty or a tiny file is left alone; a wrong guess costs an oversized table, which the cron shrinks.
     */
    static void presize(final Path file, final Keyspace keyspace)
    {
        final java.nio.ByteBuffer sample = java.nio.ByteBuffer.allocate(SIZING_SAMPLE_BYTES);
        final long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            size = channel.size();
            while (sample.hasRemaining() && channel.read(sample) > 0)
            {
                // read up to the sample size or the end
            }
        }
        catch (final IOException ex)
        {
            return; // the replay reports it
        }
        final int sampled = sample.position();
        if (size < SIZING_SAMPLE_BYTES || sampled < 16 || sample.get(0) != '*')
        {
            return;
        }
        int commands = 0;
        int db = 0;
        boolean selectSeen = false;
        for (int i = 0; i < sampled - 2; i++)
        {
            if (sample.get(i) == '\n' && sample.get(i + 1) == '*' || i == 0)
            {
                commands++;
                if (!selectSeen && startsWith(sample, i == 0 ? 0 : i + 1, SELECT_0_PREFIX))
                {
                    selectSeen = true;
                    db = selectedDb(sample, (i == 0 ? 0 : i + 1) + SELECT_0_PREFIX.length, sampled);
                }
            }
        }
        final long estimate = (long)((double)commands / sampled * size);
        if (db >= 0 && db < keyspace.databaseCount() && keyspace.database(db).size() == 0)
        {
            keyspace.database(db).expand(estimate);
        }
    }

    private static final int SIZING_SAMPLE_BYTES = 64 * 1024;
    /** "*2\r\n$6\r\nSELECT\r\n$": what a base's SELECT starts with, before the db number's length. */
    private static final byte[] SELECT_0_PREFIX = "*2\r\n$6\r\nSELECT\r\n$".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean startsWith(final java.nio.ByteBuffer buffer, final int at, final byte[] prefix)
    {
        if (at + prefix.length > buffer.position())
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (buffer.get(at + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /** The db number of "$&lt;n&gt;\r\n&lt;digits&gt;\r\n" from {@code at} (after the '$'), or -1. */
    private static int selectedDb(final java.nio.ByteBuffer buffer, final int at, final int limit)
    {
        int i = at;
        while (i < limit && buffer.get(i) != '\n')
        {
            i++;
        }
        int db = 0;
        int digits = 0;
        for (i++; i < limit && buffer.get(i) >= '0' && buffer.get(i) <= '9' && digits < 6; i++, digits++)
        {
            db = db * 10 + buffer.get(i) - '0';
        }
        return digits == 0 ? -1 : db;
    }

    /**
     * @param base whether the file is the base, which may be a KeelKV snapshot instead of RESP.
     * @return the file's valid length, after cutting what follows it when that is allowed; -1 for a base that
     * is a KeelKV snapshot (nothing was replayed: the caller loads it).
     */
    private long replay(final AofReader reader, final Path file, final boolean last, final boolean base,
        final Dispatcher dispatcher, final boolean loadTruncated, final Consumer<String> warn, final Loaded loaded)
        throws IOException
    {
        final LocalClient client = new LocalClient(-1, true); // a fresh fake client per file, in database 0
        final RespWriter out = new RespWriter(64);
        out.discard(true);
        final AofReadResult result;
        replayed = 0;
        try
        {
            result = reader.read(file, 0, (args, offset) ->
            {
                if (dispatcher.table().lookup(args, 0) == null)
                {
                    throw new AofReadException(file, offset, "Unknown command '" + args.cString(0, 128) +
                        "' reading the append only file " + file.getFileName());
                }
                dispatcher.execute(args, out, client);
                if ((++replayed & 0xFFFF) == 0)
                {
                    reportProgress(offset);
                }
            });
        }
        catch (final AofReadException ex)
        {
            // a hole of zeros, then data, at the end of the last file: after a power loss the pages past the
            // last sync reach the disk in any order, and nothing past a sync was ever reported durable. The
            // commands before the hole are loaded; the rest is cut, as a torn tail is
            if (ex.reason() != AofReadException.Reason.ZEROS_BEFORE_DATA || !last || !loadTruncated)
            {
                throw ex;
            }
            warn.accept("!!! Warning: zeros then data at offset " + ex.offset() + " of the AOF file " +
                file.getFileName() + " (a crash's unwritten pages): cut at " + ex.validLength() + " !!!");
            loaded.truncated = true;
            loaded.truncation = file.getFileName() + " cut at " + ex.validLength() + " (zeros then data)";
            cut(file, ex.validLength());
            return ex.validLength();
        }
        switch (result.kind())
        {
            case REDIS_RDB:
                throw new AofReadException(file, 0, file + " is a Redis RDB file (an RDB-preamble base): KeelKV reads " +
                    "its own snapshot format or RESP commands, not Redis's RDB");
            case KEEL_SNAPSHOT:
                if (base)
                {
                    return -1;
                }
                throw new AofReadException(file, 0, file + " is a KeelKV snapshot where RESP commands are expected " +
                    "(only the base may be a snapshot)");
            default:
                break;
        }
        loaded.commands += result.commands();
        loaded.bytes += result.validLength();
        if (result.torn())
        {
            if (!last)
            {
                throw new AofReadException(file, result.validLength(), "Fatal error: the truncated file is not the " +
                    "last file (" + result.describe() + ")");
            }
            if (!loadTruncated)
            {
                throw new AofReadException(file, result.validLength(), "Unexpected end of file reading the append " +
                    "only file " + file.getFileName() + " (" + result.describe() + "). You can: 1) Make a backup of " +
                    "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can " +
                    "set the 'aof-load-truncated' configuration option to yes and restart the server.");
            }
            warn.accept("!!! Warning: short read while loading the AOF file " + file.getFileName() + "!!! (" +
                result.describe() + ")");
            warn.accept("AOF " + file.getFileName() + " loaded anyway because aof-load-truncated is enabled");
            loaded.truncated = true;
            loaded.truncation = file.getFileName() + " cut at " + result.validLength() + " of " + result.fileSize();
        }
        if (result.validLength() < result.fileSize())
        {
            cut(file, result.validLength());
        }
        return result.validLength();
    }

    private long replayed;

    /** A line a second while a long file is replayed: Redis's INFO loading_loaded_perc, in the log. */
    private void reportProgress(final long offsetInFile)
    {
        final long now = System.nanoTime();
        if (now - nextProgressNs < 0 || totalBytes == 0)
        {
            return;
        }
        nextProgressNs = now + PROGRESS_EVERY_NS;
        final long done = doneBytes + offsetInFile;
        progress.accept(String.format(java.util.Locale.ROOT, "Loading the AOF: %.2f%% (%d of %d bytes)",
            100.0 * done / totalBytes, done, totalBytes));
    }

    /** A file's size, 0 when it cannot be read (figures and progress only). */
    static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /** Cut a file at {@code length} and make it durable (a torn tail, or a crashed file's zeros). */
    private static void cut(final Path file, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(length);
            channel.force(true);
        }
    }

    /**
     * Make a new AOF directory holding the data as it is now: the base (a snapshot, or RESP commands from
     * {@code respBase} with the preamble off), an empty incremental file and the manifest, atomically.
     *
     * @param respBase writes the data as RESP commands into a file, for {@code aof-use-rdb-preamble no}; null
     *                 to write a snapshot base.
     * @return the manifest, whose last incremental file is empty and ready for {@link MappedAppendFile#openForAppend}.
     */
    public AofManifest create(final SnapshotControl snapshots, final RespBaseWriter respBase) throws IOException
    {
        final Path temp = temporaryDir();
        deleteTree(temp);
        Files.createDirectories(temp);
        final boolean snapshotBase = respBase == null;
        final AofManifest manifest = AofManifest.empty().withNewBase(prefix, snapshotBase).withNewIncr(prefix);
        final Path base = temp.resolve(manifest.base().orElseThrow().fileName());
        if (snapshotBase)
        {
            snapshots.save(base); // fsynced, renamed into place by the snapshot writer
        }
        else
        {
            respBase.write(base);
        }
        Files.createFile(temp.resolve(manifest.lastIncr().orElseThrow().fileName()));
        fsync(temp.resolve(manifest.lastIncr().orElseThrow().fileName()));
        manifest.writeAtomically(temp, prefix);
        fsync(temp);
        Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
        fsync(dir.toAbsolutePath().getParent());
        return manifest;
    }

    /**
     * Make {@code aof} append to the manifest's last incremental file from {@code validLength} on (the loaded
     * length, 0 for a new file). A manifest without one (a base that BGREWRITEAOF wrote with the AOF off) gets
     * a new, empty one first, written to the manifest before anything is appended to it.
     *
     * @return the manifest in force.
     */
    public AofManifest startAppending(final AofManifest manifest, final long validLength, final AofControl aof)
        throws IOException
    {
        AofManifest inForce = manifest;
        long length = validLength;
        if (inForce.lastIncr().isEmpty())
        {
            inForce = inForce.withNewIncr(prefix);
            Files.createFile(dir.resolve(inForce.lastIncr().get().fileName()));
            inForce.writeAtomically(dir, prefix);
            length = 0;
        }
        aof.appendTo(MappedAppendFile.openForAppend(dir.resolve(inForce.lastIncr().get().fileName()), length,
            MappedAppendFile.DEFAULT_CHUNK_SIZE_BYTES));
        return inForce;
    }

    /** Writes the whole dataset as RESP commands into a new file, fsynced (a RESP base). */
    @FunctionalInterface
    public interface RespBaseWriter
    {
        void write(Path file) throws IOException;
    }

    private Path temporaryDir()
    {
        return dir.resolveSibling(dir.getFileName() + TEMP_SUFFIX);
    }

    /** fsync of a file or a directory (a directory makes its entries' creations and renames durable). */
    static void fsync(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)walk.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
    }
}
