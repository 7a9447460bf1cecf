package org.trainproof.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code integrity.shards} block of {@code verify --json} for distributed checkpoints: the host this
 * verify ran on and, per shard file, whether it was re-read here and matched. {@code merge-verify}
 * combines these blocks from several hosts.
 */
public final class ShardReport {
    private ShardReport() {}

    static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    public static Map<String, Object> of(List<ShardArtifacts.ShardCheck> checks) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verified_on", localHost());
        List<Map<String, Object>> files = new ArrayList<>();
        List<ShardArtifacts.ShardCheck> sorted = new ArrayList<>(checks);
        sorted.sort(java.util.Comparator.comparingLong(ShardArtifacts.ShardCheck::entry)
                .thenComparing(c -> c.rank() == null ? -1 : c.rank()).thenComparing(ShardArtifacts.ShardCheck::file));
        for (ShardArtifacts.ShardCheck c : sorted) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("entry", c.entry());
            if (c.step() != null) f.put("step", c.step());
            f.put("checkpoint", c.checkpoint());
            f.put("file", c.file());
            f.put("rank", c.rank());
            f.put("host", c.host());
            f.put("status", c.status().text);
            if (c.tensor() != null) f.put("tensor", c.tensor());
            files.add(f);
        }
        out.put("files", files);
        return out;
    }
}
