package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Objects;

/**
 * Values of one tensor at pseudo-random flat (row-major) positions fixed by the tensor name, so the
 * same coordinates are recorded in every checkpoint and per-element changes can be checked from the
 * ledger alone (scheme {@value #SCHEME}).
 *
 * <p>Positions: if count &le; k, all positions 0..count-1. Otherwise draw from
 * {@code SplitMix64(Seeds.seed("sample", name))}, position = draw mod count (unsigned), skipping
 * repeats until k distinct positions are drawn; then sort ascending. Values are stored exactly as
 * float64, little-endian, base64 ({@code values_f64}), in position order. The signer knows these
 * positions in advance; with the files at hand an auditor samples positions of its own choice.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CoordinateSample(String scheme, int k, String valuesF64) {
    public static final String SCHEME = "tp-sample-v1";

    public CoordinateSample {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(valuesF64, "valuesF64");
    }

    /** Positions for a tensor with {@code count} elements and a sample of at most {@code k}. */
    public static long[] positions(String tensorName, long count, int k) {
        return Seeds.distinctSortedPositions(Seeds.seed("sample", tensorName), count, k);
    }

    public static CoordinateSample of(double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        return new CoordinateSample(SCHEME, values.length, Base64.getEncoder().encodeToString(b.array()));
    }

    /** The sampled values, in ascending position order. */
    @JsonIgnore
    public double[] values() {
        byte[] raw = Base64.getDecoder().decode(valuesF64);
        if (raw.length != 8L * k) {
            throw new IllegalArgumentException("coordinate sample holds " + raw.length + " bytes, not 8*k=" + 8L * k);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[k];
        for (int i = 0; i < k; i++) out[i] = b.getDouble();
        return out;
    }
}
