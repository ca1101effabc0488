package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An engine the collection tests talk to in RESP, as a client would: made on the first call from
 * {@link #settings} (which a test may change before that), replies returned as their RESP text
 * (ISO-8859-1, a char per byte), and {@link #settledBytes} for the leak checks.
 */
final class EngineCalls implements AutoCloseable
{
    final EngineSettings settings = new EngineSettings();
    private final RespWriter out = new RespWriter(1 << 22);
    private final LocalClient client = new LocalClient(1, false);
    private KeelEngine engine;

    KeelEngine engine()
    {
        if (engine == null)
        {
            engine = new KeelEngine(settings);
        }
        return engine;
    }

    LocalClient client()
    {
        return client;
    }

    String call(final String... args)
    {
        out.clear();
        engine().dispatcher().execute(Args.of(args), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    /** Allocated bytes once the cron has freed whatever the lazy free had queued. */
    long settledBytes()
    {
        for (int i = 0; i < 10_000 && engine().lazyFree().pendingObjects() > 0; i++)
        {
            engine.cron(10);
        }
        assertEquals(0, engine.lazyFree().pendingObjects(), "the cron did not finish the lazy free");
        return engine.memory().allocatedBytes();
    }

    @Override
    public void close()
    {
        if (engine != null)
        {
            engine.close();
        }
    }
}
