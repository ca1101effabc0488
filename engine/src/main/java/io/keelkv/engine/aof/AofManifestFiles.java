package io.keelkv.engine.aof;

import io.keelkv.engine.aof.AofManifest.Entry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The manifest on disk: replacing it crash-safe, and checking it against the directory before a load
 * (the file side of {@link AofManifest}, which documents both).
 *
 * <p>Why apart from the model: these are the only parts that touch the file system, and each failure has to
 * name the file of the step that failed, in Redis's words where Redis logs one (persistAofManifest,
 * writeAofManifestFile, getAppendOnlyFileSize).
 */
final class AofManifestFiles
{
    private AofManifestFiles()
    {
    }

    static void writeAtomically(final byte[] content, final Path dir, final String prefix) throws AofManifestException
    {
        final Path manifest = dir.resolve(AofManifest.manifestName(prefix));
        final Path temp = dir.resolve(AofManifest.tempManifestName(prefix));
        final ByteBuffer bytes = ByteBuffer.wrap(content);
        final FileChannel channel;
        try
        {
            // 0644 before the umask, as Redis opens it
            channel = FileChannel.open(temp, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-r--r--")));
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new AofManifestException("Can't open the AOF manifest file",
                "Can't open the AOF manifest file " + temp + ": " + ex, ex);
        }
        try (channel)
        {
            write(channel, bytes, temp);
        }
        catch (final AofManifestException ex)
        {
            deleteQuietly(temp, ex);
            throw ex;
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp, ex);
            throw new AofManifestException("Error trying to close the temporary AOF manifest file",
                "Error trying to close the temporary AOF manifest file " + temp + ": " + ex, ex);
        }
        try
        {
            Files.move(temp, manifest, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp, ex);
            throw new AofManifestException("Error trying to rename the temporary AOF manifest file",
                "Error trying to rename the temporary AOF manifest file " + temp + " into " + manifest + ": " + ex, ex);
        }
        // The rename is a change of the directory, not of either file: until the directory is fsynced a crash
        // may bring back the old manifest (or none, the first time) while the AOF already acts on the new one,
        // e.g. deletes history files or appends to an incr the old manifest does not name. The same fsync makes
        // the names of base and incr files created in this directory before this write durable (fsyncFileDir).
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ))
        {
            directory.force(true);
        }
        catch (final IOException ex)
        {
            throw new AofManifestException("Fail to fsync AOF directory",
                "Fail to fsync AOF directory " + dir + " after renaming " + temp + " into " + manifest + ": " + ex, ex);
        }
    }

    private static void write(final FileChannel channel, final ByteBuffer bytes, final Path temp)
        throws AofManifestException
    {
        try
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new AofManifestException("Error trying to write the temporary AOF manifest file",
                "Error trying to write the temporary AOF manifest file " + temp + ": " + ex, ex);
        }
        try
        {
            // the content must be on disk before the rename can make it the manifest
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new AofManifestException("Fail to fsync the temp AOF file",
                "Fail to fsync the temp AOF file " + temp + ": " + ex, ex);
        }
    }

    private static void deleteQuietly(final Path temp, final IOException failure)
    {
        try
        {
            Files.deleteIfExists(temp);
        }
        catch (final IOException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    static Optional<AofManifest> checkFilesExist(final Path dir, final String prefix) throws AofManifestException
    {
        if (!Files.exists(dir))
        {
            return Optional.empty();
        }
        final Path manifestPath = dir.resolve(AofManifest.manifestName(prefix));
        if (!Files.exists(manifestPath))
        {
            final List<String> orphans = aofFilesIn(dir, prefix);
            if (orphans.isEmpty())
            {
                return Optional.empty();
            }
            throw new AofManifestException("AOF files without a manifest",
                "AOF files without a manifest: " + dir + " holds " + orphans + " but no " + AofManifest.manifestName(prefix) +
                    "; they are not loaded, and starting afresh would overwrite them. Restore the manifest, or " +
                    "move the files out of the directory to start without them", null);
        }
        final AofManifest manifest = AofManifest.parse(manifestPath);
        final List<Entry> loaded = new ArrayList<>(manifest.incrs().size() + 1);
        manifest.base().ifPresent(loaded::add);
        loaded.addAll(manifest.incrs());
        for (final Entry entry : loaded)
        {
            final Path file = dir.resolve(entry.fileName());
            if (!Files.isRegularFile(file))
            {
                final String reason = Files.exists(file) ? "The AOF file " + entry.fileName() + " is not a regular file"
                    : String.format(AofManifest.MISSING_FILE, entry.fileName());
                throw new AofManifestException(reason, reason + ": " + file + " is named by " + manifestPath +
                    " as " + entry.type().name().toLowerCase(Locale.ROOT) + " seq " + entry.seq(), null);
            }
        }
        return Optional.of(manifest);
    }

    private static List<String> aofFilesIn(final Path dir, final String prefix) throws AofManifestException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.startsWith(prefix + ".") &&
                    (name.endsWith(".base.rdb") || name.endsWith(".base.aof") || name.endsWith(".incr.aof")))
                .sorted()
                .toList();
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            throw new AofManifestException("Can't list the AOF directory",
                "Can't list the AOF directory " + dir + ": " + ex, ex);
        }
    }
}
