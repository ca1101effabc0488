package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Error replies that echo the client's arguments, as Redis prints them with "%s"/"%.128s": each argument is
 * a C string (it ends at a NUL), its bytes go out as they came (0xFF is not turned into U+FFFD), CR and LF
 * become spaces, and the unknown-command list has one 128-byte budget for all its arguments. Every expected
 * reply was captured from redis-server 7.0.15 with a raw socket; requests and replies are ISO-8859-1, one
 * char per byte.
 */
class ErrorEchoTest
{
    private final KeelEngine engine = new KeelEngine(new EngineSettings());
    private final RespWriter out = new RespWriter(1024);
    private final LocalClient client = new LocalClient(1, false);

    @AfterEach
    void close()
    {
        engine.close();
    }

    private String call(final String... args)
    {
        final byte[][] parts = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            parts[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        out.clear();
        engine.dispatcher().execute(Args.of(parts), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldEchoUnknownCommandArgumentsWithinOneBudgetOf128Bytes()
    {
        assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: '" + "a".repeat(100) + "' '" +
            "b".repeat(25) + "' \r\n", call("NOSUCH", "a".repeat(100), "b".repeat(100)));
        final String[] many = new String[61];
        many[0] = "NOSUCH";
        java.util.Arrays.fill(many, 1, many.length, "abc");
        assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: " + "'abc' ".repeat(21) + "'ab' \r\n",
            call(many));
        assertEquals("-ERR unknown command '" + "x".repeat(128) + "', with args beginning with: \r\n", call("x".repeat(200)));
    }

    @Test
    void shouldEchoArgumentsAsCStringsWithTheirBytes()
    {
        assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: 'x' '\u00ff\u00fe' \r\n",
            call("NOSUCH", "x\u0000y", "\u00ff\u00fe"));
        assertEquals("-ERR unknown command 'NO', with args beginning with: 'a' \r\n", call("NO\u0000SUCH", "a"));
        assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: '  ' ' ' \r\n", call("NOSUCH", "\r\n", "\n"));
        assertEquals("-ERR unknown subcommand 'no'. Try OBJECT HELP.\r\n", call("OBJECT", "no\u0000pe"));
        assertEquals("-ERR unknown subcommand 'ENCODING'. Try OBJECT HELP.\r\n", call("OBJECT", "ENCODING\u0000", "k"));
        assertEquals("-ERR unknown subcommand '\u00ffz" + "q".repeat(126) + "'. Try OBJECT HELP.\r\n",
            call("OBJECT", "\u00ffz" + "q".repeat(200)));
        assertEquals("-ERR unknown subcommand 'a  b'. Try OBJECT HELP.\r\n", call("OBJECT", "a\r\nb"));

        assertEquals("+OK\r\n", call("SET", "k", "v"));
        // addReplyErrorFormat trims CR/LF at the end before it maps the rest to spaces
        assertEquals("-ERR Unsupported option \u00ffopt\r\n", call("EXPIRE", "k", "10", "\u00ffopt\r\n"));
        assertEquals("-ERR Unsupported option \u00ffo\r\n", call("EXPIRE", "k", "10", "\u00ffo\u0000pt"));
        assertEquals("-ERR Unsupported option a b\r\n", call("EXPIRE", "k", "10", "a\nb"));
    }

    @Test
    void shouldCountEchoingErrorsInErrorStats()
    {
        final long before = out.errorCount();
        call("NOSUCH", "\u00ff");
        call("OBJECT", "\u00ff");
        assertEquals(before + 2, out.errorCount());
    }
}
