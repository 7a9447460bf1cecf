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
 * With {@code compare A B N} it runs {@code compare A B --seed S} instead (the seed of every subsample and
 * permutation) and prints the exit codes: an independent pair must never exit 6 (dependent).
 */
public final class AuditorSeedSweep {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("compare")) {
            compare(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 200);
            return;
        }
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

    private static void compare(Path a, Path b, int n) {
        Map<Integer, Integer> codes = new TreeMap<>();
        long first6 = -1;
        for (int i = 1; i <= n; i++) {
            long seed = 7919L * i;
            CliRun r = CliRun.run("compare", a, b, "--seed", Long.toString(seed), "--quiet");
            codes.merge(r.code(), 1, Integer::sum);
            if (r.code() == 6 && first6 < 0) first6 = seed;
        }
        System.out.printf("compare %s %s: %d seeds; exit codes %s%s%n", a, b, n, codes, first6 < 0 ? "" : "; first exit 6 at seed " + first6);
    }
}
