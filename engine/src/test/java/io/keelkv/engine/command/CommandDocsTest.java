package io.keelkv.engine.command;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-docs.txt line format and the loaded table, as CommandTable reads them. */
class CommandDocsTest
{
    private final CommandDocs docs = new CommandDocs();
    private final List<List<CommandDocs.Argument>> open = new ArrayList<>(List.of(docs.topLevel()));

    private void line(final String indented)
    {
        int spaces = 0;
        while (indented.charAt(spaces) == ' ')
        {
            spaces++;
        }
        docs.addLine(spaces / 2, indented.substring(spaces).split("\t", -1), open);
    }

    @Test
    void shouldNestArgumentsUnderTheOneofOrBlockAboveThem()
    {
        line("  history\t6.2.0\tAdded the `GET`%25 option.");
        line("  arg\tname=key\ttype=key\tkey_spec_index=0");
        line("  arg\tname=condition\ttype=oneof\tsince=2.6.12\tflags=optional");
        line("    arg\tname=nx\ttype=pure-token\ttoken=NX");
        line("    arg\tname=inner\ttype=block\tflags=optional multiple");
        line("      arg\tname=a\ttype=string");
        line("    arg\tname=xx\ttype=pure-token\ttoken=XX\tdeprecated_since=7.0.0");
        line("  arg\tname=empty\ttype=block");
        line("  arg\tname=value\ttype=string");

        assertEquals(1, docs.historyLength());
        assertEquals("Added the `GET`% option.", docs.historyChanges(0));
        final List<CommandDocs.Argument> top = docs.arguments();
        assertEquals(List.of("key", "condition", "empty", "value"), names(top));
        assertEquals(0, top.get(0).keySpecIndex());
        assertEquals(-1, top.get(1).keySpecIndex());
        assertEquals(List.of("nx", "inner", "xx"), names(top.get(1).arguments()));
        assertEquals(List.of("optional", "multiple"), top.get(1).arguments().get(1).flags());
        assertEquals(List.of("a"), names(top.get(1).arguments().get(1).arguments()));
        assertEquals("7.0.0", top.get(1).arguments().get(2).deprecatedSince());
        assertTrue(top.get(2).hasArguments() && top.get(2).arguments().isEmpty(), "an empty block keeps its list");
        assertNull(top.get(3).token());
        assertTrue(top.get(3).flags().isEmpty());
    }

    @Test
    void shouldRefuseLinesItCannotPlace()
    {
        assertThrows(IllegalArgumentException.class, () -> line("    arg\tname=a\ttype=string"), "nothing to nest under");
        line("  arg\tname=s\ttype=string");
        assertThrows(IllegalArgumentException.class, () -> line("    arg\tname=a\ttype=string"), "a string has no arguments");
        assertThrows(IllegalArgumentException.class, () -> line("  arg\tname=a"), "no type");
        assertThrows(IllegalArgumentException.class, () -> line("  arg\tname=a\ttype=string\tdisplay_text=x"));
        assertThrows(IllegalArgumentException.class, () -> line("  module\tx"));
        assertThrows(IllegalArgumentException.class, () -> line("  history\t1.0.0"));
    }

    @Test
    void shouldUnescapeOnlyPercentSequences()
    {
        assertEquals("a|b;c,d%", CommandTable.unescape("a%7Cb%3Bc%2Cd%25"));
        assertEquals("plain text, unchanged", CommandTable.unescape("plain text, unchanged"));
        assertThrows(IllegalArgumentException.class, () -> CommandTable.unescape("50%"));
    }

    @Test
    void shouldAttachDocsToEveryRowThatRedisDocumentsBeyondItsSummary()
    {
        final CommandTable table = new CommandTable();
        for (final CommandSpec spec : table.allRows())
        {
            // every argument of type key points at one of the command's key specs
            for (final CommandDocs.Argument arg : spec.docs().arguments())
            {
                if ("key".equals(arg.type()))
                {
                    assertTrue(arg.keySpecIndex() >= 0 && arg.keySpecIndex() < spec.keySpecs().size(), spec.fullName());
                }
            }
        }
        final CommandSpec getset = find(table, "getset");
        assertEquals(List.of("deprecated"), getset.docs().docFlags());
        assertEquals("6.2.0", getset.docs().deprecatedSince());
        assertEquals("`SET` with the `!GET` argument", getset.docs().replacedBy());
        assertEquals(List.of("syscmd"), find(table, "debug").docs().docFlags());
        assertTrue(find(table, "client").docs().arguments().isEmpty(), "a container has no arguments of its own");
        assertEquals(List.of("key", "count"), names(find(table, "memory|usage").docs().arguments()));
        assertEquals("RW and ACCESS due to the optional `GET` argument", find(table, "set").keySpecs().get(0).notes);
        assertEquals(List.of("nondeterministic_output"), List.of(find(table, "time").tips()));
    }

    private static CommandSpec find(final CommandTable table, final String fullName)
    {
        for (final CommandSpec spec : table.allRows())
        {
            if (spec.fullName().equals(fullName))
            {
                return spec;
            }
        }
        throw new AssertionError("no row " + fullName);
    }

    private static List<String> names(final List<CommandDocs.Argument> arguments)
    {
        final List<String> names = new ArrayList<>();
        for (final CommandDocs.Argument arg : arguments)
        {
            names.add(arg.name());
        }
        return names;
    }
}
