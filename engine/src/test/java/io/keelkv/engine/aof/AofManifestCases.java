package io.keelkv.engine.aof;

import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The manifest lines of AofManifestTest's tables: what Redis 7.0.15 refuses, and what it accepts that a
 * stricter parser might not. Each was first run through redis-server 7.0.15 (a crafted appendonlydir,
 * {@code --appendonly yes}; its log gave the reason and line). Where redis-check-aof takes the text for a
 * manifest (only when a line starts with "file", in lower case), the test asks it again on every run; where
 * it does not (it checks the text as an old-style AOF instead), the case says {@code checkAof false} and rests
 * on that redis-server run.
 */
final class AofManifestCases
{
    private static final String LONG_LINE_HEAD = "file a.1.base.rdb seq 1 type b pad ";

    private AofManifestCases()
    {
    }

    /** A valid base line padded to {@code length} bytes before its '\n'. */
    static String paddedLine(final int length)
    {
        return LONG_LINE_HEAD + "x".repeat(length - LONG_LINE_HEAD.length());
    }

    /** name, manifest text, Redis's reason, its line (0: Redis shows none), whether redis-check-aof can judge. */
    static Stream<Arguments> refused()
    {
        return Stream.of(
            arguments("an empty file", "", AofManifestFormat.EMPTY, 0, false),
            arguments("a blank line", "\n", AofManifestFormat.INVALID, 1, false),
            arguments("a comment after a blank", " # comment\n", AofManifestFormat.INVALID, 1, false),
            arguments("a last line without newline", "file a.1.base.rdb seq 1 type b", AofManifestFormat.TOO_LONG, 1, true),
            arguments("a line of 1024 bytes", paddedLine(1024) + "\n", AofManifestFormat.TOO_LONG, 1, true),
            arguments("a NUL byte", "file a.1.base.rdb seq 1 type b\0x\n", AofManifestFormat.TOO_LONG, 1, true),
            arguments("the rest of a comment longer than a line", "#" + "c".repeat(1100) + "\n",
                AofManifestFormat.INVALID, 2, false),
            arguments("four fields", "file a.1.base.rdb seq 1\n", AofManifestFormat.INVALID, 1, true),
            arguments("an odd count of fields", "file a.1.base.rdb seq 1 type b x\n", AofManifestFormat.INVALID, 1, true),
            arguments("no type", "file a.1.base.rdb seq 1 foo b\n", AofManifestFormat.INVALID, 1, true),
            arguments("seq 0", "file a.1.base.rdb seq 0 type b\n", AofManifestFormat.INVALID, 1, true),
            arguments("a seq that is no number", "file a.1.base.rdb seq abc type b\n", AofManifestFormat.INVALID, 1, true),
            arguments("an empty type", "file a.1.base.rdb seq 1 type \"\"\n", AofManifestFormat.INVALID, 1, true),
            arguments("a type that is a NUL", "file a seq 1 type \"\\x00\"\n", AofManifestFormat.INVALID, 1, true),
            arguments("an unknown type", "file a.1.base.rdb seq 1 type x\n", AofManifestFormat.UNKNOWN_TYPE, 1, true),
            arguments("a path", "file dir/a seq 1 type b\n", AofManifestFormat.PATH, 1, true),
            arguments("a Windows path", "file a\\b seq 1 type b\n", AofManifestFormat.PATH, 1, true),
            arguments("a path spelled as an escape", "file \"a\\x2fb\" seq 1 type b\n", AofManifestFormat.PATH, 1, true),
            arguments("an unterminated double quote", "file \"abc seq 1 type b\n", AofManifestFormat.INVALID, 1, true),
            arguments("an unterminated single quote", "file 'abc seq 1 type b\n", AofManifestFormat.INVALID, 1, true),
            arguments("a character after a closing quote", "file \"abc\"x seq 1 type b\n", AofManifestFormat.INVALID, 1,
                true),
            // what Redis itself writes for appendfilename "it's.aof", and cannot read back
            arguments("an apostrophe left unquoted", "file it's.aof.1.base.rdb seq 1 type b\n",
                AofManifestFormat.INVALID, 1, true),
            arguments("a second base after a history line",
                "file a.1.base.rdb seq 1 type b\nfile h seq 9 type h\nfile a.2.base.rdb seq 2 type b\n",
                AofManifestFormat.DUPLICATE_BASE, 3, true),
            arguments("a repeated incr seq", "file a.2.incr.aof seq 2 type i\nfile b.2.incr.aof seq 2 type i\n",
                AofManifestFormat.NON_MONOTONIC, 2, true),
            arguments("a negative incr seq", "file a.1.incr.aof seq -1 type i\n", AofManifestFormat.NON_MONOTONIC, 1,
                true));
    }

    /**
     * name, manifest text, the manifest it must read as (written in the canonical form), whether
     * redis-check-aof can judge.
     */
    static Stream<Arguments> accepted()
    {
        final String base = "file a.1.base.rdb seq 1 type b\n";
        return Stream.of(
            arguments("only a comment", "# nothing yet\n", "", false),
            arguments("unknown keys", "file a.1.base.rdb seq 1 type b foo bar\n", base, true),
            arguments("keys in capitals", "FILE a.1.base.rdb SEQ 1 TYPE b\n", base, false),
            arguments("blanks and CRLF", "  file\ta.1.base.rdb   seq 1 type b  \r\n", base, false),
            arguments("a type spelled out", "file a.1.base.rdb seq 1 type base\n", base, true),
            arguments("keys in another order", "type b seq 1 file a.1.base.rdb\n", base, false),
            arguments("a repeated key: the last wins", "file x seq 1 type b file a.1.base.rdb\n", base, true),
            arguments("a seq with a tail", "file a.1.base.rdb seq 12abc type b\n",
                "file a.1.base.rdb seq 12 type b\n", true),
            arguments("a seq with blanks and a sign", "file a.1.base.rdb seq \" +5\" type b\n",
                "file a.1.base.rdb seq 5 type b\n", true),
            arguments("a seq past the largest long", "file a.1.base.rdb seq 99999999999999999999 type b\n",
                "file a.1.base.rdb seq 9223372036854775807 type b\n", true),
            arguments("a negative base seq", "file a.1.base.rdb seq -3 type b\n", "file a.1.base.rdb seq -3 type b\n",
                true),
            arguments("hex escapes", "file \"\\x61.1.base.rdb\" seq 1 type b\n", base, true),
            arguments("a name cut at a NUL escape", "file \"a.1.base.rdb\\x00junk\" seq 1 type b\n", base, true),
            arguments("single quotes and an escaped apostrophe", "file 'it\\'s a.1.base.rdb' seq 1 type b\n",
                "file \"it's a.1.base.rdb\" seq 1 type b\n", true),
            arguments("a line of 1023 bytes", paddedLine(1023) + "\n", base, true),
            arguments("a comment longer than a line, whose rest is a line",
                "#" + "c".repeat(1023) + "file a.1.base.rdb seq 7 type b\n", "file a.1.base.rdb seq 7 type b\n", true),
            arguments("history in any order, naming files that are gone",
                "file z.9.incr.aof seq 9 type h\nfile a.1.base.rdb seq 1 type b\nfile y.2.incr.aof seq 2 type h\n",
                "file a.1.base.rdb seq 1 type b\nfile z.9.incr.aof seq 9 type h\nfile y.2.incr.aof seq 2 type h\n",
                true),
            arguments("incr seqs with gaps", "file a.3.incr.aof seq 3 type i\nfile a.7.incr.aof seq 7 type i\n",
                "file a.3.incr.aof seq 3 type i\nfile a.7.incr.aof seq 7 type i\n", true));
    }
}
