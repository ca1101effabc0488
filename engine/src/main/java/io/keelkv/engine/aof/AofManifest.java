package io.keelkv.engine.aof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The manifest of a multi-part AOF, as Redis 7.0 keeps it: which file of the AOF directory is the base
 * (a snapshot), which are the incremental files of commands after it, in order, and which are history
 * (replaced by a rewrite, to be deleted). docs/ARCHITECTURE.md, "Append-only file".
 *
 * <p>Design. Immutable: every change returns a new manifest, and the caller makes it current only after
 * {@link #writeAtomically} succeeded. That is Redis's own discipline (aofManifestDup, change the copy,
 * persistAofManifest, then aofManifestFreeAndUpdate) made a type: a failed write cannot leave memory
 * describing files the disk does not name. The text format is {@link AofManifestFormat}'s.
 *
 * <p>Invariants, as Redis's loader enforces them: at most one base; incr seqs strictly increase; names are
 * file names, never paths. {@link #baseSeq()} and {@link #incrSeq()} are Redis's curr_base_file_seq and
 * curr_incr_file_seq: the last seq handed out, not derived from the entries. So after every incr became
 * history the next incr still gets a new seq in this process. After a reload they come from the entries
 * (last incr, or 0) as in Redis: a restart may then reuse the seq of a history incr whose deletion had not
 * yet reached the manifest. Redis 7.0.15 does the same; the history must be deleted before that can matter.
 *
 * <p>Failures: parsing and checking throw {@link AofManifestException} with Redis's words and the file and
 * line; writing throws it naming the file of the step that failed, and the old manifest stays in place.
 */
public final class AofManifest
{
    public static final String DEFAULT_DIR_NAME = "appendonlydir";
    public static final String DEFAULT_PREFIX = "appendonly.aof";

    /** Redis's error when a file the manifest names as base or incr is not there (getAppendOnlyFileSize). */
    public static final String MISSING_FILE = "Unable to obtain the AOF file %s length. stat: No such file or directory";

    private static final AofManifest EMPTY = new AofManifest(null, List.of(), List.of(), 0, 0);

    /** The kind of a file, and the letter that stands for it in the manifest. */
    public enum FileType
    {
        BASE('b'), HISTORY('h'), INCR('i');

        private final char code;

        FileType(final char code)
        {
            this.code = code;
        }

        public char code()
        {
            return code;
        }

        /** The type a manifest letter stands for, or null (Redis: "Unknown AOF file type"). */
        public static FileType ofCode(final int code)
        {
            for (final FileType type : values())
            {
                if (type.code == code)
                {
                    return type;
                }
            }
            return null;
        }
    }

    /**
     * One line of the manifest.
     *
     * @param fileName a file of the AOF directory: no '/', '\' or NUL (Redis refuses paths, and cuts names at a
     *                 NUL). May be empty only because Redis's loader lets it through; nothing here makes one.
     * @param seq      Redis's seq: any long but 0 (0 reads as "missing").
     */
    public record Entry(String fileName, long seq, FileType type)
    {
        public Entry
        {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(type, "type");
            if (fileName.indexOf('/') >= 0 || fileName.indexOf('\\') >= 0 || fileName.indexOf('\0') >= 0)
            {
                throw new IllegalArgumentException("an AOF file name can't be a path, just a filename: " + fileName);
            }
            if (seq == 0)
            {
                throw new IllegalArgumentException("seq 0 reads as a missing seq in Redis: " + fileName);
            }
        }

        Entry as(final FileType newType)
        {
            return new Entry(fileName, seq, newType);
        }
    }

    private final Entry base;
    private final List<Entry> history;
    private final List<Entry> incrs;
    private final long baseSeq;
    private final long incrSeq;

    AofManifest(final Entry base, final List<Entry> history, final List<Entry> incrs, final long baseSeq,
        final long incrSeq)
    {
        this.base = base;
        this.history = List.copyOf(history);
        this.incrs = List.copyOf(incrs);
        this.baseSeq = baseSeq;
        this.incrSeq = incrSeq;
    }

    /** No files: what Redis starts from when there is no AOF directory or no manifest in it. */
    public static AofManifest empty()
    {
        return EMPTY;
    }

    /**
     * Read and parse a manifest file.
     *
     * @throws AofManifestException when it cannot be read (naming it) or breaks one of Redis's rules.
     */
    public static AofManifest parse(final Path manifest) throws AofManifestException
    {
        final byte[] text;
        try
        {
            text = Files.readAllBytes(manifest);
        }
        catch (final IOException ex)
        {
            throw new AofManifestException("Fatal error: can't open the AOF manifest file",
                "Fatal error: can't open the AOF manifest file " + manifest + " for reading: " + ex, ex);
        }
        return AofManifestFormat.parse(text, manifest.toString());
    }

    /** Parse a manifest's bytes; {@code source} names them in errors. */
    public static AofManifest parse(final byte[] text, final String source) throws AofManifestException
    {
        return AofManifestFormat.parse(text, source);
    }

    /** Parse a manifest's text (its UTF-8 bytes are what is parsed); {@code source} names it in errors. */
    public static AofManifest parse(final String text, final String source) throws AofManifestException
    {
        return AofManifestFormat.parse(text.getBytes(StandardCharsets.UTF_8), source);
    }

    /** The manifest as Redis 7.0.15 writes it, byte for byte (one deliberate difference: AofManifestFormat). */
    public byte[] encode()
    {
        return AofManifestFormat.encode(this);
    }

    public Optional<Entry> base()
    {
        return Optional.ofNullable(base);
    }

    /** History files, in manifest order: newest first after a rewrite, as Redis prepends them. */
    public List<Entry> history()
    {
        return history;
    }

    /** Incremental files in the order they are replayed (seq order). */
    public List<Entry> incrs()
    {
        return incrs;
    }

    /** The incr the AOF appends to; empty when there is none yet (then {@link #withNewIncr} makes it). */
    public Optional<Entry> lastIncr()
    {
        return incrs.isEmpty() ? Optional.empty() : Optional.of(incrs.get(incrs.size() - 1));
    }

    /** The seq of the current base, or of the last base handed out (Redis's curr_base_file_seq). */
    public long baseSeq()
    {
        return baseSeq;
    }

    /** The seq of the last incr handed out (Redis's curr_incr_file_seq); 0 when none. */
    public long incrSeq()
    {
        return incrSeq;
    }

    /** Neither base nor incr: nothing to load (Redis: AOF_NOT_EXIST), whatever history remains. */
    public boolean hasNothingToLoad()
    {
        return base == null && incrs.isEmpty();
    }

    /** The name {@link #withNewIncr} would give (Redis's getNewIncrAofName, without changing anything). */
    public String nextIncrName(final String prefix)
    {
        return incrName(prefix, next(incrSeq, "incr"));
    }

    /** A new incr after the last one, seq {@code incrSeq() + 1}: opened on BGREWRITEAOF or at first start. */
    public AofManifest withNewIncr(final String prefix)
    {
        final long seq = next(incrSeq, "incr");
        final List<Entry> newIncrs = new ArrayList<>(incrs);
        newIncrs.add(new Entry(incrName(prefix, seq), seq, FileType.INCR));
        return new AofManifest(base, history, newIncrs, baseSeq, seq);
    }

    /**
     * A new base, seq {@code baseSeq() + 1}; the old base becomes the first history entry
     * (getNewBaseFileNameAndMarkPreAsHistory). The new name is {@code base().get().fileName()}.
     */
    public AofManifest withNewBase(final String prefix, final boolean rdbPreamble)
    {
        final long seq = next(baseSeq, "base");
        final List<Entry> newHistory = new ArrayList<>(history.size() + 1);
        if (base != null)
        {
            newHistory.add(base.as(FileType.HISTORY));
        }
        newHistory.addAll(history);
        return new AofManifest(new Entry(baseName(prefix, seq, rdbPreamble), seq, FileType.BASE), newHistory, incrs,
            seq, incrSeq);
    }

    /**
     * The incrs a finished rewrite covers become history (markRewrittenIncrAofAsHistory): all of them, or all
     * but the last when the AOF is on and appending to it. Each goes to the head of the history, last first,
     * so the history ends up in incr order ahead of what it held.
     */
    public AofManifest withIncrsAsHistory(final boolean keepLast)
    {
        final int moved = keepLast ? Math.max(0, incrs.size() - 1) : incrs.size();
        final List<Entry> newHistory = new ArrayList<>(history.size() + moved);
        for (int i = 0; i < moved; i++)
        {
            newHistory.add(incrs.get(i).as(FileType.HISTORY));
        }
        newHistory.addAll(history);
        return new AofManifest(base, newHistory, incrs.subList(moved, incrs.size()), baseSeq, incrSeq);
    }

    /**
     * A finished rewrite, as backgroundRewriteDoneHandler records it: the new base, then the covered incrs as
     * history ({@code keepLastIncr}: the AOF is on and the last incr took the writes made during the rewrite).
     */
    public AofManifest withRewrite(final String prefix, final boolean rdbPreamble, final boolean keepLastIncr)
    {
        return withNewBase(prefix, rdbPreamble).withIncrsAsHistory(keepLastIncr);
    }

    /** No history (aofDelHistoryFiles): the caller deletes the files, and writes this manifest. */
    public AofManifest withoutHistory()
    {
        return new AofManifest(base, List.of(), incrs, baseSeq, incrSeq);
    }

    private static long next(final long seq, final String kind)
    {
        if (seq == Long.MAX_VALUE)
        {
            throw new IllegalStateException("the " + kind + " seq is at its largest: " + seq);
        }
        return seq + 1;
    }

    /** {@code prefix.seq.base.rdb}, or {@code .base.aof} when the base is written as commands. */
    public static String baseName(final String prefix, final long seq, final boolean rdbPreamble)
    {
        return prefix + "." + seq + ".base" + (rdbPreamble ? ".rdb" : ".aof");
    }

    /** {@code prefix.seq.incr.aof}. */
    public static String incrName(final String prefix, final long seq)
    {
        return prefix + "." + seq + ".incr.aof";
    }

    /** {@code prefix.manifest}. */
    public static String manifestName(final String prefix)
    {
        return prefix + ".manifest";
    }

    /** {@code temp-prefix.manifest}: written, then renamed over the manifest. */
    public static String tempManifestName(final String prefix)
    {
        return "temp-" + prefix + ".manifest";
    }

    /** {@code temp-prefix.incr}: the incr of an AOF being turned on, until its first rewrite names it. */
    public static String tempIncrName(final String prefix)
    {
        return "temp-" + prefix + ".incr";
    }

    /**
     * Make this the manifest of {@code dir}, crash-safe (persistAofManifest): write the temp manifest, fsync
     * it, rename it over the manifest, fsync the directory. A crash leaves the old manifest or this one, whole.
     *
     * @throws AofManifestException naming the file of the step that failed; the old manifest is untouched.
     */
    public void writeAtomically(final Path dir, final String prefix) throws AofManifestException
    {
        AofManifestFiles.writeAtomically(encode(), dir, prefix);
    }

    /**
     * Redis's checks before loading (aofLoadManifestFromDisk, loadAppendOnlyFiles), for the AOF directory
     * {@code dir} of files named from {@code prefix}:
     * <ul>
     *   <li>no directory, or a directory without manifest or AOF files: nothing to load, empty;</li>
     *   <li>AOF files ({@code prefix.N.base.rdb|aof}, {@code prefix.N.incr.aof}) but no manifest: refused.
     *       Stricter than Redis 7.0.15, which starts empty, writes a new base 1 over the old one and appends
     *       to the old incr 1 (verified), so the stale commands come back at the next start. A crash before
     *       the first manifest was written leaves this too; the message says to move the files away;</li>
     *   <li>a manifest: parsed, and its base and incr files must be regular files, or it is refused naming
     *       the missing one. History files need not exist: their deletion is recorded after it happens.</li>
     * </ul>
     */
    public static Optional<AofManifest> checkFilesExist(final Path dir, final String prefix) throws AofManifestException
    {
        return AofManifestFiles.checkFilesExist(dir, prefix);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof AofManifest that && Objects.equals(base, that.base) && history.equals(that.history) &&
            incrs.equals(that.incrs) && baseSeq == that.baseSeq && incrSeq == that.incrSeq;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(base, history, incrs, baseSeq, incrSeq);
    }

    /** The manifest's text (always ASCII: names outside printable ASCII are escaped). */
    @Override
    public String toString()
    {
        return new String(encode(), StandardCharsets.US_ASCII);
    }
}
