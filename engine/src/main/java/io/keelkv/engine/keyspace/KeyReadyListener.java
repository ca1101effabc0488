package io.keelkv.engine.keyspace;

/**
 * Told when a key may have become able to serve a blocked client (Redis's signalKeyAsReady): a key was
 * created (a push into a missing list, RENAME, MOVE, COPY ...), or two databases were swapped. The keyspace
 * calls it only while one is set, which the blocking table does only while some client waits, so a key
 * creation costs one null check when nobody is blocked. Called on the owning thread, inside the command
 * that caused it; the listener only takes note, it must not touch the keyspace.
 */
public interface KeyReadyListener
{
    /** A key was just added to database {@code db}; its bytes are (base, address, length), Unsafe style. */
    void keyAdded(int db, Object keyBase, long keyAddress, int keyLength);

    /** SWAPDB: every key of both databases may now serve the clients that wait in these database numbers. */
    void databasesSwapped(int a, int b);
}
