package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.SafetensorsWriter;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSlice;
import org.trainproof.checkpoint.TensorValues;

/**
 * The weight checks on a folded distributed entry give what they give on the same weights recorded as
 * one file: the genuine fixture run {@code fixtures/scratch} recorded twice — each checkpoint as its
 * file, and as two rank shards (every matrix split by rows, small vectors on rank 0) folded by
 * {@code record --shard-manifest} — then {@code verify --json} of both ledgers; every check has the
 * same status and the same statistic (to 1e-9 relative: the folded l2/std combine slices' sums).
 */
class FoldedWeightChecksTest {
    @TempDir
    Path dir;

    static final Path RUN = Path.of("fixtures", "scratch");
    static final ObjectMapper M = new ObjectMapper();

    @Test
    void scratchRun_singleFileAndTwoShardFold_sameCheckResults() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key"), pub = dir.resolve("k.pub");
        Path single = dir.resolve("single.db"), folded = dir.resolve("folded.db");
        for (Path db : List.of(single, folded)) {
            CliRun i = CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/" + db.getFileName(), "--run-config",
                    RUN.resolve("run-config.json"));
            assertEquals(0, i.code(), i.toString());
        }
        List<Path> steps;
        try (Stream<Path> s = Files.list(RUN)) {
            // all nine: with fewer, W5 (weight-norm dynamics, from the combined l2) is inconclusive and compares nothing
            steps = s.filter(p -> p.getFileName().toString().matches("step-\\d+\\.safetensors"))
                    .sorted(java.util.Comparator.comparingLong(FoldedWeightChecksTest::step)).toList();
        }
        assertTrue(steps.size() >= 5, "fixture checkpoints: " + steps);
        int splitTensors = 0;
        for (Path p : steps) {
            long step = step(p);
            CliRun r = CliRun.run("record", single, "--key", key, "--step", step, "--checkpoint", p);
            assertEquals(0, r.code(), r.toString());
            Path shardDir = Files.createDirectories(dir.resolve("shards").resolve("step-" + step));
            splitTensors = split(p, shardDir);
            List<Object> args = new ArrayList<>(List.of("record", folded, "--key", key, "--step", step, "--name", "step-" + step, "--shard-manifest"));
            for (int rank = 0; rank < 2; rank++) {
                CliRun i = CliRun.run("inspect", "--json", "--rank", rank, "--world-size", 2, shardDir.resolve("rank" + rank + ".safetensors"));
                assertEquals(0, i.code(), i.toString());
                Path m = shardDir.resolve("manifest-" + rank + ".json");
                Files.writeString(m, i.out());
                args.add(m);
            }
            r = CliRun.run(args.toArray());
            assertEquals(0, r.code(), r.toString());
        }
        assertTrue(splitTensors >= 4, "row-split tensors per checkpoint: " + splitTensors);
        for (Path db : List.of(single, folded)) {
            CliRun r = CliRun.run("record", db, "--key", key, "--log", RUN.resolve("log.jsonl"));
            assertEquals(0, r.code(), r.toString());
        }
        JsonNode a = verify(single, pub), b = verify(folded, pub);
        Map<String, JsonNode> ca = checks(a), cb = checks(b);
        assertEquals(ca.keySet(), cb.keySet());
        long weightChecks = ca.keySet().stream().filter(id -> id.startsWith("W")).count();
        assertTrue(weightChecks >= 4, "weight checks run: " + ca.keySet());
        List<String> diffs = new ArrayList<>();
        for (String id : ca.keySet()) {
            JsonNode x = ca.get(id), y = cb.get(id);
            System.out.printf("%-12s single %-12s %s   folded %-12s %s%n", id, x.path("status").asText(), x.path("statistic"),
                    y.path("status").asText(), y.path("statistic"));
            if (!x.path("status").asText().equals(y.path("status").asText())) diffs.add(id + " status " + x.path("status") + " vs " + y.path("status"));
            if (x.path("statistic").isNumber() != y.path("statistic").isNumber()) diffs.add(id + " statistic present in one only");
            else if (x.path("statistic").isNumber()) {
                double s = x.path("statistic").asDouble(), t = y.path("statistic").asDouble();
                if (Math.abs(s - t) > 1e-9 * Math.max(1, Math.abs(s))) diffs.add(id + " statistic " + s + " vs " + t);
            }
        }
        assertEquals(a.path("outcome").asText(), b.path("outcome").asText());
        assertEquals(a.path("exit_code").asInt(), b.path("exit_code").asInt());
        assertTrue(diffs.isEmpty(), String.join("\n", diffs));
    }

    private static JsonNode verify(Path db, Path pub) throws Exception {
        Path out = db.resolveSibling(db.getFileName() + ".json");
        CliRun v = CliRun.run("verify", db, "--key", pub, "--json", out, "--quiet");
        assertTrue(v.code() == 0 || v.code() == 5 || v.code() == 6, v.toString());
        return M.readTree(out.toFile());
    }

    private static Map<String, JsonNode> checks(JsonNode rep) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode c : rep.path("checks")) if (!c.path("id").asText().equals("INTEGRITY")) out.put(c.path("id").asText(), c);
        return out;
    }

    static long step(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(5, n.length() - ".safetensors".length()));
    }

    /** Rank 0 gets rows [0, n/2) of every tensor with at least 2 rows and every smaller one whole; rank 1 rows [n/2, n). */
    static int split(Path file, Path out) throws Exception {
        CheckpointManifest m = Manifests.of(file);
        SafetensorsWriter r0 = new SafetensorsWriter(), r1 = new SafetensorsWriter();
        StringBuilder s0 = new StringBuilder("{"), s1 = new StringBuilder("{");
        int split = 0;
        for (TensorManifest t : m.tensors()) {
            double[] v = TensorValues.read(file, t.name());
            long[] shape = t.shape().stream().mapToLong(Long::longValue).toArray();
            Dtype dt = Dtype.valueOf(t.dtype());
            if (shape.length == 0 || shape[0] < 2) {
                r0.tensor(t.name(), dt, shape, v);
                continue;
            }
            long rows = shape[0], half = rows / 2, row = v.length / rows;
            long[] a = shape.clone(), b = shape.clone();
            a[0] = half;
            b[0] = rows - half;
            r0.tensor(t.name(), dt, a, Arrays.copyOfRange(v, 0, (int) (half * row)));
            r1.tensor(t.name(), dt, b, Arrays.copyOfRange(v, (int) (half * row), v.length));
            String zeros = ",0".repeat(shape.length - 1);
            String global = M.writeValueAsString(shape);
            s0.append(split == 0 ? "" : ",").append(M.writeValueAsString(t.name())).append(":{\"offsets\":[0").append(zeros)
                    .append("],\"global_shape\":").append(global).append('}');
            s1.append(split == 0 ? "" : ",").append(M.writeValueAsString(t.name())).append(":{\"offsets\":[").append(half).append(zeros)
                    .append("],\"global_shape\":").append(global).append('}');
            split++;
        }
        r0.metadata(TensorSlice.METADATA_KEY, s0.append('}').toString()).write(out.resolve("rank0.safetensors"));
        r1.metadata(TensorSlice.METADATA_KEY, s1.append('}').toString()).write(out.resolve("rank1.safetensors"));
        return split;
    }
}
