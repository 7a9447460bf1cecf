package org.trainproof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Not a test: verifies a fixture N times with different auditor seeds ({@code verify --artifacts DIR --seed S},
 * S = 7919·i) and prints the exit codes and the distribution of W1's p-value, which depends on the
 * auditor's sample. A genuine fixture must never exit 6, a dishonest one always. Run (after
 * {@code mvn -q -ntp test-compile}) with
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:<deps> org.trainproof.cli.AuditorSeedSweep fixtures/scratch 400}.
 */
public final class AuditorSeedSweep {
    public static void main(String[] args) throws Exception {
        Path fx = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        ObjectMapper m = new ObjectMapper();
        Map<Integer, Integer> codes = new TreeMap<>();
        int below2 = 0, below3 = 0;
        double min = 1;
        long minSeed = 0;
        Path tmp = Files.createTempDirectory("seed-sweep");
        for (int i = 1; i <= n; i++) {
            long seed = 7919L * i;
            Path json = tmp.resolve("v" + i + ".json");
            CliRun r = CliRun.run("verify", fx.resolve("ledger.db"), "--artifacts", fx, "--seed", Long.toString(seed), "--json", json, "--quiet");
            codes.merge(r.code(), 1, Integer::sum);
            double p = Double.NaN;
            if (Files.exists(json)) {
                for (JsonNode c : m.readTree(json.toFile()).path("checks")) {
                    if (c.path("id").asText().equals("W1")) p = c.path("p_value").asDouble(Double.NaN);
                }
                Files.delete(json);
            }
            if (p < 1e-2) below2++;
            if (p < 1e-3) below3++;
            if (p < min) {
                min = p;
                minSeed = seed;
            }
        }
        Files.delete(tmp);
        System.out.printf("%s: %d seeds; exit codes %s; W1 p < 0.01: %d, < 0.001: %d, smallest %.3g (seed %d)%n",
                fx, n, codes, below2, below3, min, minSeed);
    }
}
