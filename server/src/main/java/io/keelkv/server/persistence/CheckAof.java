package io.keelkv.server.persistence;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.aof.AofManifest;
import io.keelkv.engine.aof.AofReadException;
import io.keelkv.engine.aof.AofReadResult;
import io.keelkv.engine.aof.AofReader;
import io.keelkv.engine.snapshot.SnapshotHeaderDescriptor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/keel-check-aof [--fix] <manifest or file>}: what redis-check-aof does, for KeelKV's AOF, and
 * for KeelKV's own base format too (a snapshot base is checked frame by frame, every CRC, by loading it into
 * a scratch engine of its page size).
 *
 * <p>Given a manifest, every file it names is checked, base first; given one file, that file. RESP files
 * are read as strictly as the server loads them ({@link AofReader}). The verdict lines follow
 * redis-check-aof's ("AOF analyzed: filename=..., size=..., ok_up_to=..., diff=...", "... is valid",
 * "... is not valid. Use the --fix option to try fixing it."). {@code --fix} cuts a torn tail of the last
 * file (or of the one file given) at its last complete command, after asking, as redis-check-aof does; it
 * fixes nothing else. Exit status 0 when everything is valid (or was fixed), 1 otherwise.
 */
public final class CheckAof
{
    private final PrintStream out;
    private final boolean fix;
    private final BufferedReader in;

    CheckAof(final PrintStream out, final BufferedReader in, final boolean fix)
    {
        this.out = out;
        this.in = in;
        this.fix = fix;
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))));
    }

    /** @return the exit status. */
    public static int run(final String[] args, final PrintStream out, final BufferedReader in)
    {
        final List<String> rest = new ArrayList<>(Arrays.asList(args));
        final boolean fix = rest.remove("--fix");
        if (rest.size() != 1 || rest.get(0).startsWith("--"))
        {
            out.println("Usage: keel-check-aof [--fix] <file.manifest|file.aof|file.rdb>");
            return 1;
        }
        try
        {
            return new CheckAof(out, in, fix).check(Path.of(rest.get(0)));
        }
        catch (final IOException ex)
        {
            out.println(ex.getMessage());
            return 1;
        }
    }

    private int check(final Path path) throws IOException
    {
        if (!Files.isRegularFile(path))
        {
            out.println("Cannot open file " + path + ": No such file or directory");
            return 1;
        }
        if (path.getFileName().toString().endsWith(".manifest"))
        {
            return checkManifest(path);
        }
        out.println("Start checking Old-Style AOF");
        return checkFile(path, true) ? 0 : 1;
    }

    private int checkManifest(final Path manifestFile) throws IOException
    {
        out.println("Start checking Multi Part AOF");
        final AofManifest manifest = AofManifest.parse(manifestFile);
        final Path dir = manifestFile.toAbsolutePath().getParent();
        final List<AofManifest.Entry> files = new ArrayList<>();
        manifest.base().ifPresent(files::add);
        files.addAll(manifest.incrs());
        if (files.isEmpty())
        {
            out.println("The manifest " + manifestFile + " names no file: nothing to load");
            return 0;
        }
        boolean valid = true;
        for (int i = 0; i < files.size() && valid; i++)
        {
            final AofManifest.Entry entry = files.get(i);
            final Path file = dir.resolve(entry.fileName());
            if (!Files.isRegularFile(file))
            {
                out.println(String.format(AofManifest.MISSING_FILE, entry.fileName()));
                return 1;
            }
            out.println("Start to check " + (entry.type() == AofManifest.FileType.BASE ? "BASE" : "INCR") + " AOF (" +
                entry.fileName() + ") format.");
            valid = checkFile(file, i == files.size() - 1);
        }
        if (valid)
        {
            out.println("All AOF files and manifest are valid");
        }
        return valid ? 0 : 1;
    }

    /** @param last only the last file may be fixed (a torn tail anywhere else is damage). */
    private boolean checkFile(final Path file, final boolean last) throws IOException
    {
        final long size = Files.size(file);
        final AofReadResult result;
        try (AofReader reader = new AofReader(AofReader.DEFAULT_PROTO_MAX_BULK_LEN))
        {
            result = reader.read(file, 0, (args, offset) -> { });
        }
        catch (final AofReadException ex)
        {
            analyzed(file, size, ex.validLength());
            out.println(ex.getMessage());
            out.println("AOF " + file.getFileName() + " is not valid. Use the --fix option to try fixing it.");
            return false;
        }
        if (result.kind() == AofReadResult.Kind.KEEL_SNAPSHOT)
        {
            return checkSnapshot(file, size); // the reader stops at the magic: the snapshot reader checks the rest
        }
        if (result.kind() == AofReadResult.Kind.REDIS_RDB)
        {
            out.println("The base " + file.getFileName() + " is a Redis RDB file: use redis-check-rdb on it (KeelKV " +
                "does not read it)");
            return false;
        }
        analyzed(file, size, result.validLength());
        if (!result.torn())
        {
            out.println("AOF " + file.getFileName() + " is valid");
            return true;
        }
        out.println(result.describe());
        if (!fix || !last)
        {
            out.println("AOF " + file.getFileName() + " is not valid. Use the --fix option to try fixing it.");
            return false;
        }
        out.println();
        out.println("This will shrink the AOF " + file.getFileName() + " from " + size + " bytes, with " +
            (size - result.validLength()) + " bytes, to " + result.validLength() + " bytes");
        out.print("Continue? [y/N]: ");
        out.flush();
        final String answer = in.readLine();
        if (answer == null || !answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y"))
        {
            out.println("Aborting...");
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(result.validLength());
            channel.force(true);
        }
        out.println("Successfully truncated AOF " + file.getFileName());
        return true;
    }

    /** A KeelKV snapshot base: loaded into a scratch engine, which checks every frame's CRC and the roots. */
    private boolean checkSnapshot(final Path file, final long size)
    {
        final EngineSettings settings = new EngineSettings();
        settings.pageSizeBytes = pageSizeOf(file);
        settings.databases = 16;
        settings.snapshotAgentThread = false;
        settings.loadPrefaultThread = false;
        try (KeelEngine scratch = new KeelEngine(settings))
        {
            final long keys;
            try
            {
                keys = scratch.load(file).keys;
            }
            catch (final io.keelkv.engine.snapshot.SnapshotException ex)
            {
                if (ex.getMessage() != null && ex.getMessage().contains("databases"))
                {
                    settings.databases = 1 << 14; // a base of a server with more databases than Redis's default
                    try (KeelEngine wider = new KeelEngine(settings))
                    {
                        return reportSnapshot(file, size, wider.load(file).keys);
                    }
                }
                out.println("KeelKV snapshot " + file.getFileName() + ": " + ex.getMessage());
                out.println("AOF " + file.getFileName() + " is not valid (a KeelKV snapshot base: --fix cannot fix it)");
                return false;
            }
            return reportSnapshot(file, size, keys);
        }
        catch (final RuntimeException | IOException ex)
        {
            out.println("KeelKV snapshot " + file.getFileName() + ": " + ex);
            out.println("AOF " + file.getFileName() + " is not valid (a KeelKV snapshot base: --fix cannot fix it)");
            return false;
        }
    }

    private boolean reportSnapshot(final Path file, final long size, final long keys)
    {
        out.println("KeelKV snapshot base: " + keys + " keys, every page frame's CRC checked");
        analyzed(file, size, size);
        out.println("AOF " + file.getFileName() + " is valid");
        return true;
    }

    private static int pageSizeOf(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(SnapshotHeaderDescriptor.HEADER_LENGTH)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            channel.read(header, 0);
            final int pageSize = header.getInt(SnapshotHeaderDescriptor.PAGE_SIZE_OFFSET);
            return pageSize > 0 && Integer.bitCount(pageSize) == 1 ? pageSize : 64 * 1024;
        }
        catch (final IOException ex)
        {
            return 64 * 1024;
        }
    }

    private void analyzed(final Path file, final long size, final long okUpTo)
    {
        out.println("AOF analyzed: filename=" + file.getFileName() + ", size=" + size + ", ok_up_to=" + okUpTo +
            ", diff=" + (size - okUpTo));
    }
}
