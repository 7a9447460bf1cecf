package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.trainproof.TrainproofException;

/**
 * Combines several hosts' {@code verify --artifacts --json} reports of one ledger (docs/distributed.md):
 * per shard file of each distributed checkpoint, whether some host re-read it and whether it matched.
 * The reports must be of the same ledger head (origin, key, entries, root), so each host checked its
 * part against the same signed entries.
 */
public final class ShardMerge {
    private ShardMerge() {}

    /** One shard file over all reports: where it was re-read and matched, where it differed. */
    public record FileResult(long entry, Long step, String checkpoint, String file, Integer rank, String host,
            List<String> matchedOn, List<String> mismatchedOn, String tensor) {
        public String status() {
            if (!mismatchedOn.isEmpty()) return "mismatch";
            return matchedOn.isEmpty() ? "not re-read anywhere" : "match";
        }
    }

    /** The head all reports checked, whether each report's integrity audit passed, and the files. */
    public record Result(String origin, String key, long entries, String root, List<String> integrityFailedOn,
            List<String> withoutShards, List<FileResult> files) {
        public long count(String status) {
            return files.stream().filter(f -> f.status().equals(status)).count();
        }
    }

    /** One input report and a label for it (its file name) used when it names no host. */
    public record Input(String label, JsonNode report) {}

    public static Result merge(List<Input> inputs) {
        if (inputs.isEmpty()) throw TrainproofException.usage("no reports to merge");
        String origin = null, key = null, root = null;
        long entries = -1;
        List<String> failed = new ArrayList<>();
        List<String> without = new ArrayList<>();
        Map<String, Acc> files = new TreeMap<>();
        for (Input in : inputs) {
            JsonNode r = in.report();
            if (!"verify".equals(r.path("command").asText()) || !r.path("integrity").isObject()) {
                throw TrainproofException.badInput(in.label(), "not a 'trainproof verify --json' report");
            }
            JsonNode i = r.path("integrity");
            String o = i.path("origin").asText(null), k = i.path("key").asText(null), rt = i.path("root").asText(null);
            long n = i.path("entries").asLong(-1);
            if (origin == null && key == null && root == null && entries < 0) {
                origin = o;
                key = k;
                root = rt;
                entries = n;
            } else if (!Objects.equals(origin, o) || !Objects.equals(key, k) || !Objects.equals(root, rt) || entries != n) {
                throw TrainproofException.badInput(in.label(), "checked another ledger head (origin " + o + ", " + n + " entries, root " + rt
                        + ") than " + inputs.get(0).label() + " (origin " + origin + ", " + entries + " entries, root " + root
                        + "); verify every host against the same ledger copy");
            }
            if (!i.path("key_from_ledger").asBoolean(false) && k == null) throw TrainproofException.badInput(in.label(), "report names no key");
            boolean integrityPass = false;
            for (JsonNode c : r.path("checks")) {
                if ("INTEGRITY".equals(c.path("id").asText())) integrityPass = "PASS".equals(c.path("status").asText());
            }
            if (!integrityPass) failed.add(in.label());
            JsonNode shards = i.path("shards");
            if (!shards.isObject()) {
                without.add(in.label());
                continue;
            }
            String where = shards.path("verified_on").asText(in.label()) + " (" + in.label() + ")";
            for (JsonNode f : shards.path("files")) {
                String id = String.format("%020d", f.path("entry").asLong()) + "\u0000" + f.path("checkpoint").asText() + "\u0000" + f.path("file").asText();
                Acc a = files.computeIfAbsent(id, x -> new Acc(f));
                switch (f.path("status").asText()) {
                    case "match" -> a.matched.add(where);
                    case "mismatch" -> {
                        a.mismatched.add(where);
                        if (a.tensor == null && f.hasNonNull("tensor")) a.tensor = f.path("tensor").asText();
                    }
                    case "not re-read here" -> { }
                    default -> throw TrainproofException.badInput(in.label(), "unknown shard status '" + f.path("status").asText() + "'");
                }
            }
        }
        List<FileResult> out = new ArrayList<>();
        for (Acc a : files.values()) {
            JsonNode f = a.first;
            out.add(new FileResult(f.path("entry").asLong(), f.hasNonNull("step") ? f.path("step").asLong() : null, f.path("checkpoint").asText(),
                    f.path("file").asText(), f.hasNonNull("rank") ? f.path("rank").asInt() : null, f.path("host").asText(null),
                    List.copyOf(a.matched), List.copyOf(a.mismatched), a.tensor));
        }
        return new Result(origin, key, entries, root, failed, without, out);
    }

    private static final class Acc {
        final JsonNode first;
        final TreeSet<String> matched = new TreeSet<>();
        final TreeSet<String> mismatched = new TreeSet<>();
        String tensor;

        Acc(JsonNode first) {
            this.first = first;
        }
    }
}
