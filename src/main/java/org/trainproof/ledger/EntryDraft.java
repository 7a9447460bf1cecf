package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An entry to append: its kind and its body. Kinds are an open set named by
 * {@link #KIND_PATTERN}; the ledger adds seq, prev and time.
 */
public record EntryDraft(String kind, ObjectNode body) {
    /** Lowercase name, 1 to 32 characters: run, checkpoint, metrics, event, end, ... */
    public static final Pattern KIND_PATTERN = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public EntryDraft {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(body, "body");
        if (!KIND_PATTERN.matcher(kind).matches()) {
            throw new IllegalArgumentException("entry kind '" + kind + "' does not match " + KIND_PATTERN.pattern());
        }
        body = body.deepCopy();
    }

    @Override
    public ObjectNode body() {
        return body.deepCopy();
    }

    /** The body itself, for this package (no copy; never modify it: the draft and its entry share it). */
    ObjectNode bodyView() {
        return body;
    }
}
