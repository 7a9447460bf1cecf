package org.trainproof.ledger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.trainproof.bytes.Digest;
import org.trainproof.trainlog.LogFormat;

/**
 * The fast read behind {@link Ledger#forEachMetricsSpan}: a metrics entry's {@code body.source},
 * {@code body.format}, {@code body.byte_range} and {@code body.sha256} by a streaming parse that skips
 * everything else (the records are tokenised, not built). Returns null for anything it does not
 * expect, and the caller then decodes the entry strictly, so this path decides no error.
 */
final class MetricsSpans {
    private static final JsonFactory JSON = new JsonFactory();

    private MetricsSpans() {}

    static Ledger.MetricsSpan read(long seq, byte[] entry) {
        try (JsonParser p = JSON.createParser(entry)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            Ledger.MetricsSpan found = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("body")) {
                    if (t != JsonToken.START_OBJECT || found != null) return null;
                    found = body(seq, p);
                    if (found == null) return null;
                } else {
                    p.skipChildren();
                }
            }
            return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? found : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Ledger.MetricsSpan body(long seq, JsonParser p) throws IOException {
        String source = null, format = null, sha = null;
        long start = -1, end = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "source" -> {
                    if (t != JsonToken.VALUE_STRING || source != null) return null;
                    source = p.getText();
                }
                case "format" -> {
                    if (t != JsonToken.VALUE_STRING || format != null) return null;
                    format = p.getText();
                }
                case "sha256" -> {
                    if (t != JsonToken.VALUE_STRING || sha != null) return null;
                    sha = p.getText();
                }
                case "byte_range" -> {
                    if (t != JsonToken.START_ARRAY || start >= 0) return null;
                    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) return null;
                    start = p.getLongValue();
                    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) return null;
                    end = p.getLongValue();
                    if (p.nextToken() != JsonToken.END_ARRAY || start < 0 || end < start) return null;
                }
                default -> p.skipChildren();
            }
        }
        if (source == null || format == null || sha == null || start < 0) return null;
        return new Ledger.MetricsSpan(seq, source, LogFormat.parse(format), start, end, Digest.parse(sha));
    }
}
