package io.keelkv.bench;

import io.keelkv.engine.EngineSettings;
import io.keelkv.engine.KeelEngine;
import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * One engine and one operation for {@link GuardCost}: each {@link #getAsLong()} runs {@link #OPS} of them over
 * 100,000 keys of 10 bytes with 32-byte values, visited in a fixed pseudo-random order (EngineBenchmark's
 * settings). Loaded by its own class loader, so that its copy of the engine reads the guard switch anew.
 */
public final class GuardCostDriver implements LongSupplier
{
    static final int OPS = 100_000;
    private static final int KEYS = 100_000;
    private static final int KEY_BYTES = 10;
    private static final int VALUE_BYTES = 32;

    private final String operation;
    private final KeelEngine engine = new KeelEngine(new EngineSettings());
    private final UnsafeBuffer keys = new UnsafeBuffer(ByteBuffer.allocateDirect(KEYS * KEY_BYTES));
    private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_BYTES));
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final RespWriter writer = new RespWriter(64 * 1024);
    private final Args[] getArgs = new Args[KEYS];
    private final Args[] setArgs = new Args[KEYS];
    private final int[] order = new int[1 << 16];
    private int next;

    public GuardCostDriver(final String operation)
    {
        this.operation = operation;
        final byte[] v = new byte[VALUE_BYTES];
        java.util.Arrays.fill(v, (byte)'x');
        value.putBytes(0, v);
        for (int i = 0; i < KEYS; i++)
        {
            final String k = String.format("key:%06d", i);
            keys.putBytes(i * KEY_BYTES, k.getBytes(StandardCharsets.US_ASCII));
            engine.set(0, keys, i * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES);
            getArgs[i] = Args.of("GET", k);
            setArgs[i] = Args.of("SET", k, new String(v, StandardCharsets.US_ASCII));
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < order.length; i++)
        {
            order[i] = random.nextInt(KEYS);
        }
    }

    /** Whether this copy of the engine runs with the guard (read from its own class). */
    public boolean guarded()
    {
        try
        {
            final java.lang.reflect.Field field =
                io.keelkv.engine.memory.PageMemory.class.getDeclaredField("GUARD");
            field.setAccessible(true);
            return field.getBoolean(null);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public long getAsLong()
    {
        long sum = 0;
        switch (operation)
        {
            case "engineGet":
                for (int i = 0; i < OPS; i++)
                {
                    sum += engine.get(0, keys, order[next++ & (order.length - 1)] * KEY_BYTES, KEY_BYTES, out, 0);
                }
                break;
            case "engineSet":
                for (int i = 0; i < OPS; i++)
                {
                    engine.set(0, keys, order[next++ & (order.length - 1)] * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES);
                    sum++;
                }
                break;
            case "commandGet":
                for (int i = 0; i < OPS; i++)
                {
                    writer.clear();
                    engine.execute(getArgs[order[next++ & (order.length - 1)]], writer);
                    sum += writer.pending();
                }
                break;
            case "commandSet":
                for (int i = 0; i < OPS; i++)
                {
                    writer.clear();
                    engine.execute(setArgs[order[next++ & (order.length - 1)]], writer);
                    sum += writer.pending();
                }
                break;
            default:
                throw new IllegalArgumentException(operation);
        }
        return sum;
    }
}
