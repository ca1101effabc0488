package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Database;
import io.keelkv.engine.keyspace.EntryFlyweight;
import io.keelkv.engine.keyspace.Hashing;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.keyspace.KeyspaceListener;
import io.keelkv.engine.resp.Args;
import org.agrona.UnsafeApi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import static io.keelkv.engine.memory.PageMemory.NULL_HANDLE;

/**
 * WATCH: which clients watch which keys, and the touch that makes their EXEC fail (Redis's multi.c
 * watched_keys and touchWatchedKey). Owned by the event loop, as the keyspace is.
 *
 * <p>Where a touch comes from. Redis calls signalModifiedKey in every command that changes a key; here the
 * dispatcher touches, after a command that changed the dataset, the keys its key specs name as written (RW,
 * OW, RM), read from the form the command is logged in: a blocking or multi-key pop logs the one key it
 * popped (LPOP, ZPOPMIN ...), so it touches that key only. The commands whose specs name keys they may leave
 * alone say which they changed themselves (DEL, UNLINK and SMOVE, through CommandContext#keyChanged). Those
 * whose written keys no spec names are told apart: SORT ... STORE, MOVE and COPY ... DB (the key in the
 * other database), FLUSHDB, FLUSHALL, SWAPDB and DEBUG RELOAD. The keyspace's own removals (expiry,
 * eviction) arrive as a {@link KeyspaceListener}.
 *
 * <p>Cost. Nothing while no client watches a key (one map-size check per write). The keys are copied to the
 * heap, so their total is capped ({@link #MAX_WATCHED_BYTES}); the registry is keyed by database and bytes
 * and probed with a reusable key, so a touch allocates nothing.
 */
public final class Watches implements KeyspaceListener
{
    private static final byte[] RELOAD = "reload".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The registry's heap over all clients, counted as the watched keys' bytes plus an estimate of the objects
     * around them: it lives on the Java heap (512 MB by default), so a WATCH of millions of keys is refused
     * rather than left to exhaust it.
     */
    static final long MAX_WATCHED_BYTES = 64L * 1024 * 1024;
    /** A watched key's copy, its registry entry and list, beyond its bytes. */
    static final long KEY_HEAP_BYTES = 128;
    /** One client's watch of a key: its Watch and the two list slots. */
    static final long WATCH_HEAP_BYTES = 48;

    /** One client's watch of one key (Redis's watchedKey). */
    static final class Watch
    {
        final Key key;
        final MultiState owner;
        /** The key existed but had expired when it was watched: its deletion then is no change. */
        boolean expiredAtWatch;

        Watch(final Key key, final MultiState owner, final boolean expiredAtWatch)
        {
            this.key = key;
            this.owner = owner;
            this.expiredAtWatch = expiredAtWatch;
        }
    }

    /** A database and key bytes; the probe form holds a (base, address, length) instead of its own copy. */
    static final class Key
    {
        int db;
        byte[] bytes;
        Object base;
        long address;
        int length;
        int hash;

        Key set(final int db, final Object base, final long address, final int length, final long seed)
        {
            this.db = db;
            this.base = base;
            this.address = address;
            this.length = length;
            // the keyspace's seeded hash: a client cannot line watched keys up in one bucket
            this.hash = (int)Hashing.hash(seed + db, base, address, length);
            return this;
        }

        Key copy()
        {
            final Key k = new Key();
            k.db = db;
            k.length = length;
            k.hash = hash;
            k.bytes = new byte[length];
            UnsafeApi.copyMemory(base, address, k.bytes, UnsafeApi.arrayBaseOffset(byte[].class), length);
            k.base = k.bytes;
            k.address = UnsafeApi.arrayBaseOffset(byte[].class);
            return k;
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof Key))
            {
                return false;
            }
            final Key k = (Key)o;
            return k.db == db && k.length == length && k.hash == hash &&
                Hashing.equals(base, address, k.base, k.address, length);
        }
    }

    private final Keyspace keyspace;
    private final EntryFlyweight entry;
    // the commands whose written keys no key spec names, or which say themselves (keyChanged)
    private final CommandSpec flushdb;
    private final CommandSpec flushall;
    private final CommandSpec swapdb;
    private final CommandSpec move;
    private final CommandSpec copy;
    private final CommandSpec sort;
    private final CommandSpec del;
    private final CommandSpec unlink;
    private final CommandSpec smove;
    private final CommandSpec debug;
    // DEBUG RELOAD replaces the data without a change count: its noted watches are touched anyway
    private boolean touchNotedAnyway;
    private final HashMap<Key, ArrayList<Watch>> byKey = new HashMap<>();
    private final Key probe = new Key();
    // its own seed: the page memory's changes when a snapshot is loaded, and the registry outlives that
    private final long seed = new java.security.SecureRandom().nextLong();
    private final ArrayList<Watch> toTouch = new ArrayList<>();
    private long watchedBytes;

    Watches(final Keyspace keyspace, final CommandTable table)
    {
        this.keyspace = keyspace;
        this.entry = new EntryFlyweight(keyspace.memory());
        this.flushdb = table.row("flushdb");
        this.flushall = table.row("flushall");
        this.swapdb = table.row("swapdb");
        this.move = table.row("move");
        this.copy = table.row("copy");
        this.sort = table.row("sort");
        this.del = table.row("del");
        this.unlink = table.row("unlink");
        this.smove = table.row("smove");
        this.debug = table.row("debug");
    }

    /** True when some client watches a key: only then do writes look for their keys here. */
    boolean any()
    {
        return !byKey.isEmpty();
    }

    /** Keys watched by every client together (INFO's watching_clients/total_watched_keys are Redis 7.2's). */
    public int keys()
    {
        return byKey.size();
    }

    /**
     * WATCH one key for {@code state} in {@code db}, unless it already watches it.
     *
     * @return false when the cap on watched bytes is reached.
     */
    boolean watch(final MultiState state, final int db, final Object base, final long address, final int length)
    {
        probe.set(db, base, address, length, seed);
        ArrayList<Watch> watchers = byKey.get(probe);
        if (watchers != null)
        {
            for (int i = 0; i < watchers.size(); i++)
            {
                if (watchers.get(i).owner == state)
                {
                    return true; // already watched (Redis: "Key already watched")
                }
            }
        }
        final long cost = WATCH_HEAP_BYTES + (watchers == null ? KEY_HEAP_BYTES + length : 0);
        if (watchedBytes + cost > MAX_WATCHED_BYTES)
        {
            return false;
        }
        watchedBytes += cost;
        final Key key;
        if (watchers == null)
        {
            key = probe.copy();
            watchers = new ArrayList<>(2);
            byKey.put(key, watchers);
        }
        else
        {
            key = watchers.get(0).key;
        }
        final long e = keyspace.database(db).find(base, address, length);
        final Watch w = new Watch(key, state, e != NULL_HANDLE && keyspace.isExpired(e));
        watchers.add(w);
        state.watched.add(w);
        return true;
    }

    /** UNWATCH, EXEC, DISCARD, RESET, a disconnect: forget every key {@code state} watches. */
    void unwatchAll(final MultiState state)
    {
        final ArrayList<Watch> mine = state.watched;
        for (int i = 0; i < mine.size(); i++)
        {
            final Watch w = mine.get(i);
            final ArrayList<Watch> watchers = byKey.get(w.key);
            if (watchers != null)
            {
                watchers.remove(w);
                watchedBytes -= WATCH_HEAP_BYTES;
                if (watchers.isEmpty())
                {
                    byKey.remove(w.key);
                    watchedBytes -= KEY_HEAP_BYTES + w.key.length;
                }
            }
        }
        mine.clear();
        state.dirtyCas = false;
    }

    /**
     * EXEC's check (Redis's isWatchedKeyExpired): a key that was live when watched and has expired since is a
     * change, though nothing has deleted it yet.
     */
    boolean anyExpiredSinceWatch(final MultiState state)
    {
        final ArrayList<Watch> mine = state.watched;
        for (int i = 0; i < mine.size(); i++)
        {
            final Watch w = mine.get(i);
            if (!w.expiredAtWatch)
            {
                final long e = keyspace.database(w.key.db).find(w.key.base, w.key.address, w.key.length);
                if (e != NULL_HANDLE && keyspace.isExpired(e))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A key of {@code db} was changed. {@code removed}: the keyspace is deleting it (expiry, eviction), so it
     * is gone once this returns.
     */
    void touch(final int db, final Object base, final long address, final int length, final boolean removed)
    {
        final ArrayList<Watch> watchers = byKey.get(probe.set(db, base, address, length, seed));
        if (watchers == null)
        {
            return;
        }
        boolean gone = removed;
        if (!removed)
        {
            gone = keyspace.database(db).find(base, address, length) == NULL_HANDLE;
        }
        for (int i = 0; i < watchers.size(); i++)
        {
            final Watch w = watchers.get(i);
            if (w.expiredAtWatch && gone)
            {
                w.expiredAtWatch = false; // an expired key was deleted: logically no change
                continue;
            }
            w.owner.dirtyCas = true;
        }
    }


    // ------------------------------------------------------------------------------------------------
    // which keys a command wrote (the dispatcher asks only while some key is watched)

    /** Before a command runs: FLUSHDB, FLUSHALL, SWAPDB and DEBUG RELOAD note the watched keys they will empty. */
    void noteBefore(final CommandSpec spec, final Args args, final int clientDb)
    {
        if (spec == flushdb)
        {
            noteEmptied(clientDb, -1);
        }
        else if (spec == flushall)
        {
            for (int db = 0; db < keyspace.databaseCount(); db++)
            {
                noteEmptied(db, -1);
            }
        }
        else if (spec == debug && args.count() >= 2 && args.equalsIgnoreCase(1, RELOAD))
        {
            // Redis empties every database before it loads the file again (signalFlushedDb)
            for (int db = 0; db < keyspace.databaseCount(); db++)
            {
                noteEmptied(db, -1);
            }
            touchNotedAnyway = true;
        }
        else if (spec == swapdb)
        {
            final int a = databaseArg(args, 1);
            final int b = databaseArg(args, 2);
            if (a >= 0 && b >= 0 && a != b)
            {
                noteEmptied(a, b);
                noteEmptied(b, a);
            }
        }
    }

    /**
     * After {@code executed} changed the dataset: touch the keys it wrote, read from the form it is logged in
     * ({@code logged}, {@code args}: a multi-key pop logs the one key it popped). DEL, UNLINK and SMOVE have
     * said which keys they changed (CommandContext#keyChanged); the rest by their key specs' written keys
     * (RW, OW, RM), or as SORT ... STORE, COPY ... DB and MOVE write.
     */
    void touchWritten(final CommandSpec executed, final CommandSpec logged, final Args args, final int db)
    {
        if (executed == del || executed == unlink || executed == smove || logged == null)
        {
            return;
        }
        if (logged == sort)
        {
            final int store = SortCommand.storeKeyArg(args);
            if (store > 0)
            {
                touchArg(db, args, store);
            }
            return;
        }
        if (logged == copy)
        {
            touchArg(KeyCommands.copyTargetDb(args, db), args, 2);
            return;
        }
        if (logged == move)
        {
            touchArg(db, args, 1);
            final int target = databaseArg(args, 2);
            if (target >= 0)
            {
                touchArg(target, args, 1);
            }
            return;
        }
        final java.util.List<CommandSpec.KeySpec> specs = logged.keySpecs();
        final int argc = args.count();
        for (int s = 0; s < specs.size(); s++)
        {
            final CommandSpec.KeySpec ks = specs.get(s);
            if (ks.unknown || !ks.writes)
            {
                continue;
            }
            final int first;
            final int last;
            final int step = Math.max(1, ks.keyStep);
            if (ks.keynum)
            {
                final int numIndex = ks.beginIndex + ks.keyNumIndex;
                if (numIndex >= argc || !args.parseLong(numIndex) || args.longValue() <= 0)
                {
                    continue;
                }
                first = ks.beginIndex + ks.firstKey;
                last = (int)Math.min(argc - 1, first + (args.longValue() - 1) * step);
            }
            else
            {
                first = ks.beginIndex;
                last = ks.lastKey >= 0 ? first + ks.lastKey : argc + ks.lastKey;
            }
            for (int i = first; i <= last && i < argc; i += step)
            {
                touchArg(db, args, i);
            }
        }
    }

    /** Argument {@code i} of {@code args} names a key of {@code db} that changed. */
    void touchArg(final int db, final Args args, final int i)
    {
        touch(db, args.array(), args.address(i), args.length(i), false);
    }

    private int databaseArg(final Args args, final int i)
    {
        if (i < args.count() && args.parseLong(i))
        {
            final long db = args.longValue();
            if (db >= 0 && db < keyspace.databaseCount())
            {
                return (int)db;
            }
        }
        return -1;
    }

    /**
     * Before FLUSHDB, FLUSHALL or SWAPDB (Redis's touchAllWatchedKeysInDb): note the watches of keys that
     * exist in {@code emptied}, or in {@code replacedWith} (SWAPDB's other database, else -1), as they are now;
     * {@link #touchNoted} applies them once the command has changed the dataset.
     */
    private void noteEmptied(final int emptied, final int replacedWith)
    {
        for (final Map.Entry<Key, ArrayList<Watch>> kv : byKey.entrySet())
        {
            final Key k = kv.getKey();
            if (k.db != emptied)
            {
                continue;
            }
            final boolean inEmptied = keyspace.database(emptied).find(k.base, k.address, k.length) != NULL_HANDLE;
            long replaced = NULL_HANDLE;
            if (replacedWith >= 0)
            {
                replaced = keyspace.database(replacedWith).find(k.base, k.address, k.length);
            }
            if (!inEmptied && replaced == NULL_HANDLE)
            {
                continue;
            }
            final boolean replacedExpired = replaced != NULL_HANDLE && keyspace.isExpired(replaced);
            for (final Watch w : kv.getValue())
            {
                if (w.expiredAtWatch)
                {
                    if (replaced == NULL_HANDLE)
                    {
                        w.expiredAtWatch = false; // expired key now deleted: no logical change
                        continue;
                    }
                    if (replacedExpired)
                    {
                        continue; // expired key remains expired
                    }
                }
                else if (!inEmptied && replacedExpired)
                {
                    w.expiredAtWatch = true; // a missing key replaced by an expired one
                    continue;
                }
                toTouch.add(w);
            }
        }
    }

    /** Apply (or, when the command changed nothing, drop) what {@link #noteEmptied} noted. */
    void touchNoted(final boolean changed)
    {
        if (changed || touchNotedAnyway)
        {
            for (int i = 0; i < toTouch.size(); i++)
            {
                toTouch.get(i).owner.dirtyCas = true;
            }
        }
        toTouch.clear();
        touchNotedAnyway = false;
    }

    @Override
    public void onExpired(final Database db, final long entryHandle)
    {
        touchEntry(db, entryHandle);
    }

    @Override
    public void onEvicted(final Database db, final long entryHandle)
    {
        touchEntry(db, entryHandle);
    }

    private void touchEntry(final Database db, final long entryHandle)
    {
        if (byKey.isEmpty())
        {
            return;
        }
        entry.wrap(entryHandle);
        touch(db.id(), null, entry.keyAddress(), entry.keyLength(), true);
    }

    /** For tests: the heap the registry is counted at. */
    long watchedBytes()
    {
        return watchedBytes;
    }
}
