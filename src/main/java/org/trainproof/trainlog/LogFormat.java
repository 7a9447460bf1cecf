package org.trainproof.trainlog;

import java.util.Locale;

/** The training-log formats trainproof reads. {@link #cliName()} is the {@code --format} spelling. */
public enum LogFormat {
    JSONL,
    CSV,
    HF_TRAINER_STATE,
    TENSORBOARD,
    MLFLOW,
    WANDB_HISTORY,
    LLMC_MAIN_LOG,
    LLMC_STDOUT,
    NANOGPT,
    BUILD_NANOGPT,
    MODDED_NANOGPT,
    MEGATRON,
    MEGATRON_GOLDEN,
    HF_CONSOLE,
    KEY_VALUE_TEXT,
    /** An empty file: recognised, holds no records (reported as a finding). */
    EMPTY;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a {@code --format} value ({@code hf-trainer-state}, {@code HF_TRAINER_STATE}, ...). */
    public static LogFormat parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (LogFormat f : values()) {
            if (f.name().equals(n)) return f;
        }
        throw new IllegalArgumentException("unknown log format '" + s + "'");
    }
}
