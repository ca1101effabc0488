package io.keelkv.engine.text;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ExactDecimal against Java's correctly rounded Double.parseDouble: the "%.17g" texts of random doubles of every
 * magnitude "%.17g" writes without an exponent (they must read back to the same bits), random plain decimals of
 * up to 18 digits (ties and near-ties included by construction), and the forms it must leave to the general
 * parser.
 */
class ExactDecimalTest
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private static double parse(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ExactDecimal.parse(bytes, BYTE_BASE, bytes.length);
    }

    @Test
    void shouldReadEveryPercent17gTextBackToItsDouble()
    {
        final long seed = System.nanoTime();
        System.out.println("ExactDecimalTest seed " + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final DoubleFormat format = new DoubleFormat();
        final byte[] out = new byte[DoubleFormat.MAX_LENGTH];
        int exact = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            final double value = (random.nextBoolean() ? -1 : 1) * random.nextDouble() * Math.pow(10, random.nextInt(-5, 17));
            final int length = format.format(value, out);
            final double read = ExactDecimal.parse(out, BYTE_BASE, length);
            final String text = new String(out, 0, length, StandardCharsets.US_ASCII);
            if (text.contains("e"))
            {
                assertTrue(Double.isNaN(read), text);
                continue;
            }
            exact++;
            assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(read), "seed " + seed + ": " + text);
        }
        assertTrue(exact > 900_000);
    }

    @Test
    void shouldRoundRandomDecimalsAsParseDoubleDoes()
    {
        final long seed = System.nanoTime();
        System.out.println("ExactDecimalTest decimals seed " + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 1_000_000; i++)
        {
            final StringBuilder sb = new StringBuilder();
            if (random.nextBoolean())
            {
                sb.append('-');
            }
            final int digits = 1 + random.nextInt(18);
            final int point = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++)
            {
                if (d == point && d > 0)
                {
                    sb.append('.');
                }
                // runs of 9s and 0s make near-ties with the doubles' midpoints
                sb.append(random.nextInt(4) == 0 ? '9' : random.nextInt(4) == 0 ? '0' : (char)('0' + random.nextInt(10)));
            }
            final String text = sb.toString();
            final int fraction = text.contains(".") ? text.length() - text.indexOf('.') - 1 : 0;
            final double read = parse(text);
            if (fraction > 22)
            {
                continue;
            }
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(read),
                "seed " + seed + ": " + text);
        }
    }

    @Test
    void shouldLeaveOtherFormsToTheGeneralParser()
    {
        for (final String text : new String[] {"", "-", ".", "1e5", "inf", "-inf", "nan", "1.2.3", "+1", " 1",
            "1234567890123456789", "0.00000000000000000000001"})
        {
            assertTrue(Double.isNaN(parse(text)), text);
        }
        assertEquals(0.1, parse("0.10000000000000001"));
        assertEquals(-2.5, parse("-2.5"));
        assertEquals(123456789012345678.0, parse("123456789012345678"));
        assertEquals(0.5, parse(".5"));
        assertEquals(5.0, parse("5."));
    }
}
