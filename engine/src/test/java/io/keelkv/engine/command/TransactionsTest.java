package io.keelkv.engine.command;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.keyspace.EvictionPolicy;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's side of MULTI/EXEC/WATCH that a differential run against redis-server cannot see: how a
 * transaction is logged, the touches that come from the keyspace itself (expiry, eviction), a client's
 * watches going with it, and the bound on the queue. Replies are checked beside Redis by
 * DifferentialTransactionsTest in the server.
 */
class TransactionsTest
{
    private final EngineSettings settings = new EngineSettings();
    private final KeelEngine engine = new KeelEngine(settings);
    private final RespWriter out = new RespWriter(1 << 20);
    private final LocalClient a = new LocalClient(1, false);
    private final LocalClient b = new LocalClient(2, false);
    private final List<String> propagated = new ArrayList<>();

    @AfterEach
    void close()
    {
        engine.close();
    }

    private String call(final LocalClient client, final String... args)
    {
        out.clear();
        engine.dispatcher().execute(Args.of(args), out, client);
        final byte[] reply = new byte[out.pending()];
        out.buffer().getBytes(out.readIndex(), reply);
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    private void record()
    {
        engine.dispatcher().propagator((db, args) -> propagated.add(db + " " + args));
    }

    @Test
    void shouldLogATransactionsWritesInsideMultiExec()
    {
        record();
        call(a, "MULTI");
        call(a, "SET", "k", "1");
        call(a, "GET", "k");
        call(a, "SELECT", "1");
        call(a, "INCR", "n");
        assertEquals("*4\r\n+OK\r\n$1\r\n1\r\n+OK\r\n:1\r\n", call(a, "EXEC"));
        assertEquals(List.of("0 [MULTI]", "0 [SET, k, 1]", "1 [INCR, n]", "1 [EXEC]"), propagated);
    }

    @Test
    void shouldLogTheOnlyWriteOfATransactionAsItself()
    {
        record();
        call(a, "MULTI");
        call(a, "SET", "k", "1");
        call(a, "GET", "k");
        assertEquals("*2\r\n+OK\r\n$1\r\n1\r\n", call(a, "EXEC"));
        assertEquals(List.of("0 [SET, k, 1]"), propagated);
    }

    @Test
    void shouldWrapATransactionOfSeveralWritesEvenWhenOneChangedTheData()
    {
        // the wrap is decided by the writes queued, not by those that changed something (Redis decides by
        // the latter): a MULTI around one command is still a valid, atomic log
        record();
        call(a, "MULTI");
        call(a, "SET", "k", "1");
        call(a, "SET", "k", "2", "NX");
        assertEquals("*2\r\n+OK\r\n$-1\r\n", call(a, "EXEC"));
        assertEquals(List.of("0 [MULTI]", "0 [SET, k, 1]", "0 [EXEC]"), propagated);
    }

    @Test
    void shouldLogNothingForATransactionThatChangedNothing()
    {
        record();
        call(a, "MULTI");
        call(a, "DEL", "missing");
        call(a, "LPOP", "missing");
        assertEquals("*2\r\n:0\r\n$-1\r\n", call(a, "EXEC"));
        assertEquals(List.of(), propagated);
    }

    @Test
    void shouldFailTheExecOfAWatcherWhenTheKeyspaceExpiresItsKey() throws InterruptedException
    {
        call(b, "SET", "k", "1", "PX", "30");
        assertEquals("+OK\r\n", call(a, "WATCH", "k"));
        Thread.sleep(60);
        assertEquals("$-1\r\n", call(b, "GET", "k")); // the lazy expiry deletes it: a change for the watcher
        call(a, "MULTI");
        call(a, "PING");
        assertEquals("*-1\r\n", call(a, "EXEC"));
    }

    @Test
    void shouldRunTheExecOfAWatcherWhoseKeyHadExpiredWhenWatched() throws InterruptedException
    {
        call(b, "SET", "k", "1", "PX", "10");
        Thread.sleep(30);
        call(a, "WATCH", "k"); // already past its deadline: its deletion is no change (Redis 7.0)
        assertEquals("$-1\r\n", call(b, "GET", "k"));
        call(a, "MULTI");
        call(a, "PING");
        assertEquals("*1\r\n+PONG\r\n", call(a, "EXEC"));
    }

    @Test
    void shouldFailTheExecOfAWatcherWhenItsKeyIsEvicted()
    {
        call(b, "SET", "k", "1");
        call(a, "WATCH", "k");
        assertTrue(engine.keyspace().evictOne(EvictionPolicy.ALLKEYS_RANDOM, 5));
        call(a, "MULTI");
        call(a, "PING");
        assertEquals("*-1\r\n", call(a, "EXEC"));
    }

    @Test
    void shouldForgetTheWatchesOfAClosedClient()
    {
        call(a, "WATCH", "k1", "k2");
        call(b, "WATCH", "k2");
        assertEquals(2, engine.dispatcher().watches().keys());
        engine.dispatcher().clientClosed(a);
        assertEquals(1, engine.dispatcher().watches().keys());
        assertEquals(0, a.multiState().watchedCount());
        call(b, "UNWATCH");
        assertEquals(0, engine.dispatcher().watches().keys());
        assertEquals(0, engine.dispatcher().watches().watchedBytes());
    }

    @Test
    void shouldRefuseAWatchPastTheRegistrysHeapBudgetAndKeepServing()
    {
        final String[] watch = new String[100_001];
        watch[0] = "WATCH";
        for (int i = 1; i < watch.length; i++)
        {
            watch[i] = "k" + i;
        }
        final long perKey = Watches.KEY_HEAP_BYTES + Watches.WATCH_HEAP_BYTES;
        final int clients = (int)(Watches.MAX_WATCHED_BYTES / (100_000 * (perKey + 6)));
        String reply = "";
        for (int c = 0; c <= clients + 1 && !reply.startsWith("-"); c++)
        {
            final String[] distinct = watch.clone();
            for (int i = 1; i < distinct.length; i++)
            {
                distinct[i] = "c" + c + ":" + watch[i];
            }
            reply = call(new LocalClient(10 + c, false), distinct);
        }
        assertTrue(reply.startsWith("-ERR too many watched keys"), reply);
        assertTrue(engine.dispatcher().watches().watchedBytes() <= Watches.MAX_WATCHED_BYTES);
        assertEquals("+OK\r\n", call(a, "SET", "still", "served"));
    }

    @Test
    void shouldRefuseMultiForTheAofReplayClient()
    {
        final LocalClient replay = new LocalClient(3, true);
        assertEquals("-ERR MULTI is not available to this client\r\n", call(replay, "MULTI"));
        assertNull(replay.multiState());
    }

    @Test
    void shouldDropAQueueThatPassesTheQueryBufferLimitAndAbortItsExec()
    {
        settings.queryBufferLimit = 150; // a SET of a 40-byte value takes 61 bytes of the queue: two fit, not three
        engine.applySettings();
        call(a, "MULTI");
        final String value = "v".repeat(40);
        assertEquals("+QUEUED\r\n", call(a, "SET", "k1", value));
        assertEquals("+QUEUED\r\n", call(a, "SET", "k2", value));
        assertTrue(call(a, "SET", "k3", value).startsWith("-ERR the transaction's queued commands passed"));
        assertEquals(0, a.multiState().queuedBytes());
        assertNull(a.multiState().buffer(), "the dropped queue's memory goes back at once");
        assertTrue(call(a, "GET", "k1").startsWith("-ERR the transaction's queued commands passed"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", call(a, "EXEC"));
        assertEquals(":0\r\n", call(a, "EXISTS", "k1", "k2", "k3"));
    }

    @Test
    void shouldQueueAHundredThousandCommandsInItsBufferAndRunThemInOrder()
    {
        call(a, "MULTI");
        for (int i = 0; i < 100_000; i++)
        {
            call(a, "RPUSH", "l", String.valueOf(i));
        }
        assertEquals(100_000, a.multiState().queuedCount());
        out.clear();
        engine.dispatcher().execute(Args.of("EXEC"), out, a);
        assertTrue(out.pending() > 100_000 * 4);
        assertEquals("$1\r\n0\r\n", call(a, "LINDEX", "l", "0"));
        assertEquals("$5\r\n99999\r\n", call(a, "LINDEX", "l", "-1"));
        assertEquals(":100000\r\n", call(a, "LLEN", "l"));
        assertNull(a.multiState().buffer(), "a big queue's memory goes back when its transaction ends");
    }

    @Test
    void shouldServeABlockedCommandAtOnceInsideExec()
    {
        call(a, "MULTI");
        call(a, "BLPOP", "q", "0");
        call(a, "RPUSH", "q", "x");
        assertEquals("*2\r\n*-1\r\n:1\r\n", call(a, "EXEC"));
    }
}
