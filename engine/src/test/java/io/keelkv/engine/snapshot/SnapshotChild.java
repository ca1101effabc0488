package io.keelkv.engine.snapshot;

import io.keelkv.engine.KeelEngine;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.keelkv.engine.snapshot.SnapshotTestSupport.*;

/**
 * The child JVM of {@link SnapshotCrashTest}. Both modes first save a small generation 1 to
 * {@code dir/dump.rdb} and print {@code SAVED <digest>}, then grow the dataset to generation 2 and save
 * again over it:
 * <ul>
 *   <li>{@code crash dir seed}: the second save reads its pages through a source that sleeps a millisecond
 *       per page, so it takes seconds; {@code SAVING} is printed as it starts, and the parent kills the child
 *       with SIGKILL while the temp file grows.</li>
 *   <li>{@code full dir seed}: run under {@code ulimit -f}; the second save runs into the file size limit
 *       (EFBIG, as a full disk gives ENOSPC) and must fail cleanly: it prints {@code REFUSED <message>}.</li>
 * </ul>
 */
public final class SnapshotChild
{
    static final int PAGE = 64 * 1024;

    private SnapshotChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[1]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        final Path target = dir.resolve("dump.rdb");
        try (KeelEngine engine = engine(PAGE, 2))
        {
            randomOps(engine, random, 2_000, 2, 1_000, PAGE);
            engine.save(target);
            System.out.println("SAVED " + digest(engine).trim());
            System.out.flush();
            for (int i = 0; i < 3_000; i++)
            {
                // incompressible span-sized values: generation 2 is far bigger than generation 1
                final byte[] value = new byte[PAGE + random.nextInt(PAGE)];
                random.nextBytes(value);
                call(engine, 1, bytes("SET"), bytes("big:" + i), value);
            }
            final SnapshotImage image = new SnapshotImage().capture(engine.keyspace());
            final LivePageSource live = new LivePageSource(engine.memory());
            if ("crash".equals(args[0]))
            {
                System.out.println("SAVING " + image.pagesInUse());
                System.out.flush();
                new SnapshotWriter(PAGE).save(image, new PageSource()
                {
                    @Override
                    public void copyPage(final int page, final long scratchAddress)
                    {
                        live.copyPage(page, scratchAddress);
                        try
                        {
                            Thread.sleep(1);
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void pageWritten(final int page)
                    {
                    }
                }, target);
                System.out.println("FINISHED"); // the parent should have killed us long before
                System.exit(3);
            }
            try
            {
                engine.save(target);
                System.out.println("NOT REFUSED");
            }
            catch (final SnapshotException ex)
            {
                System.out.println("REFUSED " + ex.getMessage().replace('\n', ' '));
            }
        }
    }
}
