package io.keelkv.engine.aof;

import io.keelkv.engine.aof.AofManifest.Entry;
import io.keelkv.engine.aof.AofManifest.FileType;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of an AOF manifest, both ways, as Redis 7.0.15 reads and writes it (aof.c:
 * aofLoadManifestFromFile, getAofManifestAsString, aofInfoFormat; sds.c: sdssplitargs, sdscatrepr).
 *
 * <p>Why byte by byte and not with a reader and a regex: the manifest is what Redis and KeelKV must both
 * accept, so the rules are Redis's to the byte, each checked against redis-server 7.0.15 (AofManifestTest):
 * <ul>
 *   <li>Lines are what {@code fgets} with a 1025-byte buffer returns: at most {@link #MAX_LINE_BYTES} bytes,
 *       up to and including a '\n'. So a longer comment goes on as a "line" of its own, and the last line
 *       must end with '\n' too; a line without one is "too long". A NUL before the '\n' ends the C string,
 *       so it hides the '\n': "too long" as well. Lines are counted as those pieces.</li>
 *   <li>A piece starting with '#' is a comment (no leading blanks). The rest is trimmed of " \t\r\n", must
 *       not be empty, and is split like {@code sdssplitargs}: "double quotes" with \n \r \t \b \a \xhh and
 *       \c escapes, 'single quotes' with \' only, a closing quote must be followed by a blank or the end.</li>
 *   <li>At least 6 fields, an even count; keys compared without case; unknown keys ignored (forward
 *       compatibility); a repeated key: the last wins. Values are C strings: cut at a NUL.</li>
 *   <li>{@code seq} is {@code atoll}: leading blanks, a sign, digits, anything after ignored, saturating;
 *       0 counts as missing. {@code type} is its first byte. The file name may hold neither '/' nor '\'.</li>
 *   <li>At most one base; incr seqs strictly increase from above 0; history in any order.</li>
 * </ul>
 * Names are bytes in Redis and Strings here: their bytes are UTF-8 both ways, and a name that is not UTF-8
 * is refused (Redis would take it; Java could not name the file on a UTF-8 file system).
 *
 * <p>Writing: one line per file, base, then history, then incr, each {@code file NAME seq N type C\n}; a name
 * with a blank, a quote, a backslash or a byte outside printable ASCII is written as sdscatrepr does. One
 * deliberate difference: Redis leaves a name with an apostrophe unquoted, and then refuses its own manifest
 * at the next start (an unquoted ' opens a single-quoted field: verified with appendfilename "it's.aof");
 * here such a name is quoted, which redis-server reads back.
 */
final class AofManifestFormat
{
    /** Longest line Redis reads, '\n' included (MANIFEST_MAX_LINE). */
    static final int MAX_LINE_BYTES = 1024;

    // Redis's error strings (aofLoadManifestFromFile), word for word
    static final String EMPTY = "Found an empty AOF manifest";
    static final String TOO_LONG = "The AOF manifest file contains too long line";
    static final String INVALID = "Invalid AOF manifest file format";
    static final String PATH = "File can't be a path, just a filename";
    static final String DUPLICATE_BASE = "Found duplicate base file information";
    static final String NON_MONOTONIC = "Found a non-monotonic sequence number";
    static final String UNKNOWN_TYPE = "Unknown AOF file type";
    // KeelKV's own: see the class comment
    static final String NOT_UTF8 = "File name is not valid UTF-8";

    private AofManifestFormat()
    {
    }

    static AofManifest parse(final byte[] text, final String source) throws AofManifestException
    {
        if (text.length == 0)
        {
            throw new AofManifestException(EMPTY, source, 0, null);
        }
        Entry base = null;
        final List<Entry> history = new ArrayList<>();
        final List<Entry> incrs = new ArrayList<>();
        int lineNumber = 0;
        int at = 0;
        while (at < text.length)
        {
            final int start = at;
            final int limit = Math.min(text.length, start + MAX_LINE_BYTES);
            int newline = -1;
            int nul = -1;
            for (int i = start; i < limit && newline < 0; i++)
            {
                if (text[i] == '\n')
                {
                    newline = i;
                }
                else if (text[i] == 0 && nul < 0)
                {
                    nul = i;
                }
            }
            at = newline >= 0 ? newline + 1 : limit;
            lineNumber++;
            if (text[start] == '#')
            {
                continue;
            }
            if (newline < 0 || nul >= 0)
            {
                throw new AofManifestException(TOO_LONG, source, lineNumber, null);
            }
            final byte[] line = trim(text, start, newline);
            final String shown = new String(line, StandardCharsets.UTF_8);
            final List<byte[]> fields = line.length == 0 ? null : SdsStrings.splitArgs(line);
            if (fields == null || fields.size() < 6 || fields.size() % 2 != 0)
            {
                throw new AofManifestException(INVALID, source, lineNumber, shown);
            }
            String name = null;
            long seq = 0;
            int type = 0;
            for (int i = 0; i < fields.size(); i += 2)
            {
                final byte[] key = SdsStrings.cString(fields.get(i));
                final byte[] value = SdsStrings.cString(fields.get(i + 1));
                if (keyIs(key, "file"))
                {
                    name = fileName(value, source, lineNumber, shown);
                }
                else if (keyIs(key, "seq"))
                {
                    seq = SdsStrings.atoll(value);
                }
                else if (keyIs(key, "type"))
                {
                    type = value.length > 0 ? value[0] & 0xFF : 0;
                }
            }
            if (name == null || seq == 0 || type == 0)
            {
                throw new AofManifestException(INVALID, source, lineNumber, shown);
            }
            final FileType fileType = FileType.ofCode(type);
            if (fileType == FileType.BASE)
            {
                if (base != null)
                {
                    throw new AofManifestException(DUPLICATE_BASE, source, lineNumber, shown);
                }
                base = new Entry(name, seq, fileType);
            }
            else if (fileType == FileType.HISTORY)
            {
                history.add(new Entry(name, seq, fileType));
            }
            else if (fileType == FileType.INCR)
            {
                if (seq <= (incrs.isEmpty() ? 0 : incrs.get(incrs.size() - 1).seq()))
                {
                    throw new AofManifestException(NON_MONOTONIC, source, lineNumber, shown);
                }
                incrs.add(new Entry(name, seq, fileType));
            }
            else
            {
                throw new AofManifestException(UNKNOWN_TYPE, source, lineNumber, shown);
            }
        }
        // as Redis sets curr_base_file_seq / curr_incr_file_seq while loading
        return new AofManifest(base, history, incrs, base != null ? base.seq() : 0,
            incrs.isEmpty() ? 0 : incrs.get(incrs.size() - 1).seq());
    }

    static byte[] encode(final AofManifest manifest)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        manifest.base().ifPresent(entry -> line(out, entry));
        manifest.history().forEach(entry -> line(out, entry));
        manifest.incrs().forEach(entry -> line(out, entry));
        return out.toByteArray();
    }

    private static void line(final ByteArrayOutputStream out, final Entry entry)
    {
        out.writeBytes("file ".getBytes(StandardCharsets.US_ASCII));
        final byte[] name = entry.fileName().getBytes(StandardCharsets.UTF_8);
        if (SdsStrings.needsRepr(name))
        {
            SdsStrings.catRepr(out, name);
        }
        else
        {
            out.writeBytes(name);
        }
        out.writeBytes((" seq " + entry.seq() + " type " + entry.type().code() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static String fileName(final byte[] value, final String source, final int lineNumber, final String shown)
        throws AofManifestException
    {
        for (final byte b : value)
        {
            if (b == '/' || b == '\\')
            {
                throw new AofManifestException(PATH, source, lineNumber, shown);
            }
        }
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(value)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new AofManifestException(NOT_UTF8, source, lineNumber, shown);
        }
    }

    /** sdstrim(line, " \t\r\n"). */
    private static byte[] trim(final byte[] text, final int from, final int to)
    {
        int start = from;
        int end = to;
        while (start < end && isTrimmed(text[start]))
        {
            start++;
        }
        while (end > start && isTrimmed(text[end - 1]))
        {
            end--;
        }
        final byte[] line = new byte[end - start];
        System.arraycopy(text, start, line, 0, line.length);
        return line;
    }

    private static boolean isTrimmed(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** strcasecmp against a lower-case ASCII keyword. */
    private static boolean keyIs(final byte[] key, final String keyword)
    {
        if (key.length != keyword.length())
        {
            return false;
        }
        for (int i = 0; i < key.length; i++)
        {
            final int c = key[i] >= 'A' && key[i] <= 'Z' ? key[i] + ('a' - 'A') : key[i];
            if (c != keyword.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
