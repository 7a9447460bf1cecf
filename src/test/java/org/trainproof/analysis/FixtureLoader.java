package org.trainproof.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;

/**
 * Test-only loader of a fixture directory (fixtures issue 5): run-config.json, step-N.safetensors (small,
 * read whole by a minimal safetensors parser — the real reader lives in the checkpoint package on another
 * branch), and log.jsonl. Builds manifests with the same sample/stats scheme the recorder uses.
 */
public final class FixtureLoader {
    final RunClaims claims;
    final TreeMap<Long, Map<String, double[]>> values = new TreeMap<>();
    final Map<String, List<Long>> shapes = new LinkedHashMap<>();
    final Map<String, String> dtypes = new LinkedHashMap<>();
    final Map<String, MetricSeries> metrics = new HashMap<>();
    final List<RunEvent> events = new ArrayList<>();

    public FixtureLoader(Path dir) throws IOException {
        ObjectMapper om = new ObjectMapper();
        claims = RunClaims.parse(om.readTree(dir.resolve("run-config.json").toFile()));
        Pattern p = Pattern.compile("step-(\\d+)\\.safetensors");
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) values.put(Long.parseLong(m.group(1)), read(f, om));
            }
        }
        List<Long> steps = new ArrayList<>();
        List<Double> loss = new ArrayList<>(), tokens = new ArrayList<>(), time = new ArrayList<>(), lr = new ArrayList<>(), grad = new ArrayList<>();
        Path log = dir.resolve("log.jsonl");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                JsonNode n = om.readTree(line);
                if (n.has("event")) {
                    events.add(new RunEvent(n.path("step").asLong(), n.path("event").asText(), n.toString()));
                    continue;
                }
                if (!n.has("loss")) continue;
                steps.add(n.path("step").asLong());
                loss.add(n.path("loss").asDouble());
                tokens.add(n.has("tokens") ? n.path("tokens").asDouble() : Double.NaN);
                time.add(n.has("time") ? n.path("time").asDouble() : Double.NaN);
                lr.add(n.has("lr") ? n.path("lr").asDouble() : Double.NaN);
                grad.add(n.has("grad_norm") ? n.path("grad_norm").asDouble() : Double.NaN);
            }
            long[] st = steps.stream().mapToLong(Long::longValue).toArray();
            double[] tm = time.stream().mapToDouble(Double::doubleValue).toArray();
            metrics.put(MetricSeries.TRAIN_LOSS, new MetricSeries(MetricSeries.TRAIN_LOSS, st, loss.stream().mapToDouble(Double::doubleValue).toArray(), tm, false, 0));
            metrics.put(MetricSeries.TOKENS, new MetricSeries(MetricSeries.TOKENS, st, tokens.stream().mapToDouble(Double::doubleValue).toArray()));
            metrics.put(MetricSeries.TRAIN_LR, new MetricSeries(MetricSeries.TRAIN_LR, st, lr.stream().mapToDouble(Double::doubleValue).toArray()));
            metrics.put(MetricSeries.GRAD_NORM, new MetricSeries(MetricSeries.GRAD_NORM, st, grad.stream().mapToDouble(Double::doubleValue).toArray()));
        }
    }

    private Map<String, double[]> read(Path f, ObjectMapper om) throws IOException {
        byte[] all = Files.readAllBytes(f); // fixtures are ~100 KB
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = b.getLong(0);
        JsonNode h = om.readTree(new String(all, 8, (int) hlen, java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + (int) hlen;
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            Dtype dt = Dtype.parse(e.getValue().path("dtype").asText()).orElseThrow();
            long begin = e.getValue().path("data_offsets").get(0).asLong(), end = e.getValue().path("data_offsets").get(1).asLong();
            int n = (int) ((end - begin) / dt.bytes());
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = dt.decode(b, base + (int) begin + i * dt.bytes());
            out.put(e.getKey(), v);
            List<Long> shape = new ArrayList<>();
            for (JsonNode d : e.getValue().path("shape")) shape.add(d.asLong());
            shapes.put(e.getKey(), shape);
            dtypes.put(e.getKey(), dt.name());
        }
        return out;
    }

    public List<StepCheckpoint> checkpoints() {
        List<StepCheckpoint> out = new ArrayList<>();
        for (var e : values.entrySet()) {
            List<TensorManifest> ts = new ArrayList<>();
            for (var t : e.getValue().entrySet()) {
                String name = t.getKey();
                ts.add(InMemoryTensor.of(name, dtypes.get(name), shapes.get(name), t.getValue(), 256, "f", 0, 0));
            }
            out.add(new StepCheckpoint(e.getKey(), new CheckpointManifest("safetensors", "00".repeat(32), List.of(), ts)));
        }
        return out;
    }

    public AnalysisInput input() {
        return new AnalysisInput(claims, metrics, Trajectory.fromLedger(checkpoints()), events, null);
    }

    /** Exact mode: every element is read (k = count), positions irrelevant. */
    public AnalysisInput exactInput(long seed, int k) {
        TensorValues tv = (step, tensor, pos) -> {
            double[] all = values.get(step).get(tensor), o = new double[pos.length];
            for (int i = 0; i < pos.length; i++) o[i] = all[(int) pos[i]];
            return o;
        };
        return new AnalysisInput(claims, metrics, Trajectory.fromArtifacts(checkpoints(), tv, seed, k), events, null);
    }
}
