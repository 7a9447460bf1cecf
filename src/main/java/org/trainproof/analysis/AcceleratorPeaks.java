package org.trainproof.analysis;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Dense peak FLOP/s per accelerator and precision (no sparsity). Sources: verification-science.md
 * §3 C1 [S] for A100 BF16 312 T, H100/H200 SXM BF16 989 T, B200 (1,000 W) BF16 2,250 T / FP8 4,500 T,
 * GB200 2,500 / 5,000 T, V100 FP16 125 T; FP8 = 2× BF16 on Hopper (same section: "FP8 doubles peak").
 * TF32/FP32 figures are NVIDIA datasheet values (A100: TF32 156 T, FP32 19.5 T; H100 SXM: TF32 494 T,
 * FP32 67 T; V100 SXM2: FP32 15.7 T) [R: recalled, not re-read here].
 */
public final class AcceleratorPeaks {
    private AcceleratorPeaks() {}

    private static final Map<String, Map<String, Double>> PEAKS = Map.of(
            "a100", Map.of("bf16", 312e12, "fp16", 312e12, "tf32", 156e12, "fp32", 19.5e12),
            "h100", Map.of("bf16", 989e12, "fp16", 989e12, "fp8", 1979e12, "tf32", 494e12, "fp32", 67e12),
            "h200", Map.of("bf16", 989e12, "fp16", 989e12, "fp8", 1979e12, "tf32", 494e12, "fp32", 67e12),
            "gb200", Map.of("bf16", 2500e12, "fp16", 2500e12, "fp8", 5000e12),
            "b200", Map.of("bf16", 2250e12, "fp16", 2250e12, "fp8", 4500e12),
            "v100", Map.of("fp16", 125e12, "fp32", 15.7e12));

    /** The table key for an accelerator name ("NVIDIA H100 80GB SXM" → h100), or null. GB200 before B200. */
    static String key(String accelerator) {
        String a = accelerator.toLowerCase(Locale.ROOT);
        for (String k : new String[] {"gb200", "b200", "h200", "h100", "a100", "v100"}) if (a.contains(k)) return k;
        return null;
    }

    /**
     * Peak for the claimed precision; with no precision, the largest peak listed for the accelerator
     * (the least accusing choice: a larger peak lowers the implied utilisation).
     */
    public static OptionalDouble peak(String accelerator, String precision) {
        String k = accelerator == null ? null : key(accelerator);
        if (k == null) return OptionalDouble.empty();
        Map<String, Double> m = PEAKS.get(k);
        if (precision == null) return m.values().stream().mapToDouble(Double::doubleValue).max();
        String p = precision.toLowerCase(Locale.ROOT).replace("float", "fp").replace("-", "").replace("_", "");
        if (p.contains("bf16") || p.equals("bfloat16") || p.contains("mixed") || p.contains("amp")) p = "bf16";
        Double v = m.get(p);
        if (v == null && p.equals("bf16")) v = m.get("fp16");
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
