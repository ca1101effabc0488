package io.keelkv.engine.resp;

import io.keelkv.engine.text.DoubleFormat;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * "%.17g" as Redis 7.0 prints doubles. The vectors (bit pattern, text) were produced with C printf
 * semantics (Python's '%.17g') and every one was then read back from redis-server 7.0.15 with ZADD +
 * ZSCORE, which replied the same text. Random doubles are checked against an exact BigDecimal oracle.
 */
class RespDoubleFormatTest
{
    private static final String[][] VECTORS = {
        {"3fb999999999999a", "0.10000000000000001"},
        {"3fc999999999999a", "0.20000000000000001"},
        {"3fd3333333333333", "0.29999999999999999"},
        {"3fd5555555555555", "0.33333333333333331"},
        {"3fe5555555555555", "0.66666666666666663"},
        {"4008000000000000", "3"},
        {"4341c37937e08000", "10000000000000000"},
        {"4376345785d8a000", "1e+17"},
        {"437b69b4ba630f35", "1.2345678901234568e+17"},
        {"4340000000000000", "9007199254740992"},
        {"3e60000000000000", "2.9802322387695312e-08"},
        {"3f1a36e2eb1c432d", "0.0001"},
        {"3ee4f8b588e368f1", "1.0000000000000001e-05"},
        {"0000000000000001", "4.9406564584124654e-324"},
        {"0010000000000000", "2.2250738585072014e-308"},
        {"7fefffffffffffff", "1.7976931348623157e+308"},
        {"7e37e43c8800759c", "1.0000000000000001e+300"},
        {"01a56e1fc2f8f359", "1e-300"},
        {"3ff8000000000000", "1.5"},
        {"c004000000000000", "-2.5"},
        {"4059000000000000", "100"},
        {"40c81cd6c8b43958", "12345.678"},
        {"3fe0000000000000", "0.5"},
        {"4376345785d89fff", "99999999999999984"},
        {"4480f0cf064dd592", "1e+22"},
        {"44b52d02c7e14af6", "9.9999999999999992e+22"},
        {"4011666666666666", "4.3499999999999996"},
        {"3f202e85be111841", "0.000123456789"},
        {"400921fb54442d11", "3.14159265358979"},
        {"43e0000000000000", "9.2233720368547758e+18"},
        {"43f0000000000000", "1.8446744073709552e+19"},
        {"430c6bf526340002", "1000000000000000.2"},
        {"3e080d43de9cc603", "6.9999999999999996e-10"},
        {"3ee9cb8320b15070", "1.2300000000000001e-05"},
        {"4376345785d8a000", "1e+17"},
        {"3ff0000000000000", "1"},
        {"3f1a36e2eb1c432c", "9.9999999999999991e-05"},
        {"f2a74de452e6b438", "-1.989032661366619e+244"},
        {"6513270e269e0d37", "7.761117632285041e+178"},
        {"0c5c7fd0a6a3a450", "3.980498358697587e-249"},
        {"d23f0824128b2f33", "-1.5432835417340557e+88"},
        {"1818e811892f902b", "1.3647584518757569e-192"},
        {"9531985d5d9dc9f8", "-1.3701135617873088e-206"},
        {"e8e25d940ed90475", "-1.7160537630466207e+197"},
        {"36f675cc81e74ef5", "6.2946752411953861e-44"},
        {"1600a35a099950d8", "1.0613447212142254e-202"},
        {"6b0d549b6f03675a", "4.7083251603875462e+207"},
        {"3d9c172411e20b8f", "6.3870161585135632e-12"},
        {"8d116ece1738f7d9", "-9.9731303785687331e-246"},
        {"0f21ddb66cad4a26", "8.7797532256802712e-236"},
        {"90c192cfd3ac94af", "-5.7955032484989932e-228"},
        {"f28c105d1fb17c23", "-5.9881801593860111e+243"},
        {"a170b33839263059", "-1.3060523885277959e-147"},
        {"953f48f1a09f76b5", "-2.4361176994848409e-206"},
        {"0fd630f1f29d0da9", "2.2333869991501741e-232"},
        {"95e60af593bd04cf", "-3.5152797062666699e-203"},
        {"0cb1e29c658cda14", "1.5987381841032883e-247"},
        {"3898d190f9ebdacc", "4.6678633181812096e-36"},
        {"8e81973e0becd7b0", "-8.4418727921054556e-239"},
        {"2217beaddbc496cb", "1.9015657400796622e-144"},
        {"6b4cb2424a23d596", "7.370437700706684e+208"},
        {"8a6a63ec24ede6a4", "-1.7163996725272777e-258"},
        {"922766581e27a1c0", "-3.2367190832119987e-221"},
        {"8f6d05584ef8aa38", "-2.2818334634712625e-234"},
        {"ae97ba94d0eda82f", "-3.0536383926309363e-84"},
        {"1a61dbe22e44158b", "1.3449551894627777e-181"},
        {"923a736994e3bf91", "-7.3174959760626057e-221"},
        {"40715d3b232f7bec", "277.82693785236802"},
        {"c06fe68ea8f48e30", "-255.20491454853754"},
        {"4057df4aa701c5b0", "95.488931419115715"},
        {"c08b53605bc7436f", "-874.4220500533537"},
        {"c08b86619b99fb18", "-880.79766006753471"},
        {"c08260a91cbf2bc9", "-588.08257436134693"},
        {"40768ccc948ee184", "360.79994636357173"},
        {"c0621a17a9f62b78", "-144.81538866119422"},
        {"c0773b4a615997b2", "-371.70565924641699"},
        {"406563f5925b87f0", "171.12372701527738"},
    };

    private static String format(final double value)
    {
        final byte[] out = new byte[DoubleFormat.MAX_LENGTH];
        final int length = new DoubleFormat().format(value, out);
        return new String(out, 0, length, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldPrintWhatRedisPrints()
    {
        for (final String[] vector : VECTORS)
        {
            final double value = Double.longBitsToDouble(Long.parseUnsignedLong(vector[0], 16));
            assertEquals(vector[1], format(value), vector[0]);
        }
    }

    @Test
    void shouldPrintSpecialValuesAsGlibc()
    {
        assertEquals("0", format(0.0));
        assertEquals("-0", format(-0.0));
        assertEquals("inf", format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", format(Double.NaN));
        assertEquals("-nan", format(Double.longBitsToDouble(0xFFF8_0000_0000_0000L)));
        assertEquals("-2.2250738585072014e-308", format(-Double.MIN_NORMAL));
        assertEquals("9.9999999999999998e-17", format(1e-16));
        assertEquals("-1.7976931348623157e+308", format(-Double.MAX_VALUE));
    }

    /** printf's "%.17g" from the exact value: round to 17 digits half-even, then C's layout rules. */
    private static String oracle(final double value)
    {
        final BigDecimal exact = new BigDecimal(value);
        final BigDecimal rounded = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        String digits = rounded.unscaledValue().abs().toString();
        final int exponent = digits.length() - 1 - rounded.scale();
        digits = digits.replaceAll("0+$", "");
        if (digits.isEmpty())
        {
            digits = "0";
        }
        final StringBuilder sb = new StringBuilder(value < 0 ? "-" : "");
        if (exponent < -4 || exponent >= 17)
        {
            sb.append(digits.charAt(0));
            if (digits.length() > 1)
            {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            final int abs = Math.abs(exponent);
            sb.append(abs < 10 ? "0" : "").append(abs);
        }
        else
        {
            sb.append(new BigDecimal(new java.math.BigInteger(digits), digits.length() - 1 - exponent).abs().toPlainString());
        }
        return sb.toString();
    }

    @Test
    void shouldMatchAnExactOracleOnRandomDoubles()
    {
        final long seed = System.nanoTime();
        System.out.println("shouldMatchAnExactOracleOnRandomDoubles seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final DoubleFormat format = new DoubleFormat();
        final byte[] out = new byte[DoubleFormat.MAX_LENGTH];
        for (int i = 0; i < 200_000; i++)
        {
            final double value;
            switch (i % 4)
            {
                case 0: value = Double.longBitsToDouble(random.nextLong()); break;
                case 1: value = random.nextDouble(-1e6, 1e6); break;
                case 2: value = random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L) / 1000.0; break;
                default: value = Math.scalb(random.nextDouble(), random.nextInt(-1080, 1030)); break;
            }
            if (Double.isNaN(value) || Double.isInfinite(value) || value == 0)
            {
                continue;
            }
            final String actual = new String(out, 0, format.format(value, out), StandardCharsets.US_ASCII);
            assertEquals(oracle(value), actual, () -> "seed " + seed + " bits " + Long.toHexString(Double.doubleToRawLongBits(value)));
            assertEquals(value, Double.parseDouble(actual), "17 digits round-trip");
        }
    }
}
