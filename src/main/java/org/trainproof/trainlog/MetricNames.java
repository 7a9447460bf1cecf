package org.trainproof.trainlog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one place where raw metric names become normalised names. Lookup is on the raw name
 * lower-cased and trimmed; a name not in the table is kept exactly as written. The section
 * "Metric names" of docs/log-formats.md prints this table.
 */
public final class MetricNames {
    public static final String TRAIN_LOSS = "train/loss";
    public static final String VAL_LOSS = "val/loss";
    public static final String TRAIN_LR = "train/lr";
    public static final String TRAIN_GRAD_NORM = "train/grad_norm";
    public static final String TRAIN_TOKENS = "train/tokens";
    public static final String TRAIN_TOKENS_PER_S = "train/tokens_per_s";

    private static final Map<String, String> TABLE;

    static {
        Map<String, String> t = new LinkedHashMap<>();
        put(t, TRAIN_LOSS, "loss", "train_loss", "trl", "lm loss", "lm_loss", "train/loss", "train loss",
                "training_loss", "train_loss_step", "reduced_train_loss", "train/lm_loss", "train_inner_loss");
        put(t, VAL_LOSS, "val_loss", "eval_loss", "vl", "tel", "val", "val loss", "val/loss", "eval/loss",
                "valid_loss", "validation_loss", "validation loss", "eval/lm_loss");
        put(t, TRAIN_LR, "lr", "learning_rate", "learning rate", "train/learning_rate", "train/lr", "learningrate");
        put(t, TRAIN_GRAD_NORM, "grad_norm", "grad norm", "gnorm", "norm", "train/grad_norm", "gradient_norm",
                "grad-norm");
        put(t, TRAIN_TOKENS, "tokens", "num_tokens", "num_input_tokens_seen", "consumed tokens", "train/num_tokens",
                "train/num_input_tokens_seen", "tokens_seen");
        put(t, TRAIN_TOKENS_PER_S, "tok/s", "tokens_per_s", "tokens_per_sec", "tokens_per_second", "throughput",
                "tok_per_sec", "wps");
        put(t, "train/epoch", "epoch", "train/epoch");
        put(t, "train/samples", "consumed samples", "consumed_samples", "train/consumed_samples");
        put(t, "train/ppl", "ppl", "perplexity", "train_perplexity", "train_perplexity_step");
        put(t, "val/ppl", "val_perplexity", "eval_perplexity", "valid_ppl", "val/ppl");
        put(t, "train/loss_scale", "loss scale", "loss_scale");
        put(t, "train/mfu", "mfu");
        put(t, "train/step_time_ms", "elapsed time per iteration (ms)", "time", "step_time_ms", "dt");
        put(t, "train/step_avg_ms", "step_avg");
        put(t, "val/train_time_ms", "val/train_time_ms");
        put(t, "val/step_avg_ms", "val/step_avg_ms");
        put(t, "train/time_ms", "train_time");
        put(t, "train/step_time_s", "iteration-time", "elapsed time per iteration (s)", "train_step_timing in s");
        put(t, "train/global_batch_size", "global batch size");
        put(t, "train/params_norm", "params norm");
        put(t, "train/num_zeros", "num zeros", "num-zeros");
        put(t, "train/skipped_iterations", "number of skipped iterations");
        put(t, "train/nan_iterations", "number of nan iterations");
        put(t, "eval/hellaswag", "hella", "eval", "hellaswag", "hellaswag_acc");
        TABLE = Collections.unmodifiableMap(t);
    }

    private MetricNames() {}

    private static void put(Map<String, String> t, String normal, String... raws) {
        for (String r : raws) {
            if (t.put(r, normal) != null) throw new IllegalStateException("duplicate raw name " + r);
        }
    }

    /** The normalised name of {@code raw}; unknown names are returned unchanged (trimmed). */
    public static String normalise(String raw) {
        String k = raw.trim();
        String n = TABLE.get(k.toLowerCase(Locale.ROOT));
        return n != null ? n : k;
    }

    /** True when {@code raw} is in the table or is itself a normalised name. */
    public static boolean known(String raw) {
        String k = raw.trim();
        return TABLE.containsKey(k.toLowerCase(Locale.ROOT)) || TABLE.containsValue(k);
    }

    /** The table, raw (lower case) → normalised, in documentation order. */
    public static Map<String, String> table() {
        return TABLE;
    }

    /** True for the loss metrics used as "first loss" in summaries. */
    public static boolean isLoss(String normalised) {
        return TRAIN_LOSS.equals(normalised) || VAL_LOSS.equals(normalised);
    }
}
