package org.trainproof.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the slice declarations a distributed writer puts in a safetensors file's {@code __metadata__}
 * under {@value TensorSlice#METADATA_KEY}: a JSON object {@code {"name": {"offsets": [..],
 * "global_shape": [..]}}}. Every named tensor must be in the file and fit its global shape.
 */
final class ShardSlices {
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ShardSlices() {}

    static Map<String, TensorSlice> of(SafetensorsHeader h, String where) {
        String text = h.metadata().get(TensorSlice.METADATA_KEY);
        Map<String, TensorSlice> out = new HashMap<>();
        if (text == null) return out;
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(where, "metadata '" + TensorSlice.METADATA_KEY + "' is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw bad(where, "metadata '" + TensorSlice.METADATA_KEY + "' is not a JSON object");
        Map<String, TensorEntry> byName = new HashMap<>();
        for (TensorEntry t : h.tensors()) byName.put(t.name(), t);
        var it = root.fields();
        while (it.hasNext()) {
            var f = it.next();
            TensorEntry t = byName.get(f.getKey());
            if (t == null) throw bad(where, "metadata '" + TensorSlice.METADATA_KEY + "' names tensor '" + f.getKey() + "', which is not in the file");
            TensorSlice s = new TensorSlice(longs(where, f.getKey(), f.getValue(), "offsets"),
                    longs(where, f.getKey(), f.getValue(), "global_shape"));
            String misfit = s.misfit(t.shape());
            if (misfit != null) throw bad(where, "tensor '" + f.getKey() + "' (shape " + t.shape() + ") slice: " + misfit);
            out.put(f.getKey(), s);
        }
        return out;
    }

    private static List<Long> longs(String where, String tensor, JsonNode o, String field) {
        JsonNode a = o == null ? null : o.get(field);
        if (a == null || !a.isArray()) throw bad(where, "slice of tensor '" + tensor + "' has no '" + field + "' array");
        List<Long> out = new ArrayList<>();
        for (JsonNode x : a) {
            if (!x.canConvertToExactIntegral() || !x.canConvertToLong() || x.asLong() < 0) {
                throw bad(where, "slice of tensor '" + tensor + "': '" + field + "' holds " + x + ", not a non-negative integer");
            }
            out.add(x.asLong());
        }
        return out;
    }

    private static SafetensorsFormatException bad(String where, String what) {
        return new SafetensorsFormatException(where, SafetensorsRule.INVALID_HEADER_DESERIALIZATION, what);
    }
}
