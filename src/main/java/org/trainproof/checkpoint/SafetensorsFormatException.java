package org.trainproof.checkpoint;

import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * Bad input (exit 3) in a safetensors file or sharded index; carries the {@link SafetensorsRule}
 * broken so callers and tests can branch on it. The message names the file (and tensor).
 */
public final class SafetensorsFormatException extends TrainproofException {
    private final SafetensorsRule rule;

    SafetensorsFormatException(Object where, SafetensorsRule rule, String what) {
        super(ExitCode.BAD_INPUT, where + ": " + rule.referenceName() + ": " + what);
        this.rule = rule;
    }

    SafetensorsFormatException(Object where, SafetensorsRule rule, String what, Throwable cause) {
        super(ExitCode.BAD_INPUT, where + ": " + rule.referenceName() + ": " + what, cause);
        this.rule = rule;
    }

    public SafetensorsRule rule() {
        return rule;
    }
}
