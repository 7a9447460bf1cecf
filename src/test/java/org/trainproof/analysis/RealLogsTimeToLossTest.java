package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * L2 on the real logs of {@code ../shared/realdata/logs} (labels from the source repositories, never from the
 * loss): re-measures the calibration envelope of {@link AnalysisConfig.L2} from the from-scratch files, asserts
 * that no from-scratch log is flagged, and pins which fine-tunes are. The from-scratch logs are the calibration
 * set itself, so "none flagged" is in-sample; the leave-one-out result is in the AnalysisConfig.L2 javadoc.
 */
class RealLogsTimeToLossTest {
    private static final Path LOGS = Path.of("..", "shared", "realdata", "logs");

    /** Fine-tunes L2 flags (all start far below ln V within 5 logged steps; L1 fails the first two). */
    static final Set<String> FLAGGED_FINE_TUNES = Set.of(
            "hf-trainer-state/medalpaca-13b.json",
            "megatron-golden-values/mixtral-8x7b-release-finetune-dgx_h100.json",
            "tensorboard/poem-generator-tinyllama-lora.tfevents");

    record Row(String file, String label, String vocab) {}

    private static List<Row> manifest() throws IOException {
        List<String> lines = Files.readAllLines(LOGS.resolve("MANIFEST.tsv"));
        List<String> head = List.of(lines.get(0).split("\t", -1));
        int file = head.indexOf("file"), label = head.indexOf("label"), vocab = head.indexOf("vocab_size");
        List<Row> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            String[] c = l.split("\t", -1);
            rows.add(new Row(c[file], c[label], c[vocab]));
        }
        return rows;
    }

    private static AnalysisInput input(Row r) {
        var c = new ObjectMapper().createObjectNode();
        c.put("vocab_size", Long.parseLong(r.vocab()));
        return RunInputs.fromFiles(List.of(LOGS.resolve(r.file())), RunClaims.parse(c), 1, AnalysisConfig.DEFAULT, new ArrayList<>());
    }

    /**
     * Updates behind a record's step, per format: modded-nanogpt prints {@code step:N train_loss} for the loss of
     * W_{N−1}; HF Trainer (trainer_state.json and its TensorBoard events) logs the mean over the window that ends
     * with the update before step N, so a mean ≤ T has a loss ≤ T by N − 1 at the latest. Others: step N = W_N.
     */
    private static long updates(String file, String metric, long step) {
        boolean behindByOne = metric.equals(MetricSeries.TRAIN_LOSS)
                && (file.startsWith("modded-nanogpt/") || file.startsWith("hf-trainer-state/") || file.startsWith("tensorboard/"));
        return behindByOne ? step - 1 : step;
    }

    @Test
    void envelope_isTheFastestFromScratchLog_noScratchFlagged_knownFineTunesFlagged() throws IOException {
        assumeTrue(Files.isRegularFile(LOGS.resolve("MANIFEST.tsv")), "../shared/realdata/logs absent");
        List<Row> rows = manifest();
        List<AnalysisConfig.L2.TimeToLoss> thresholds = AnalysisConfig.DEFAULT.l2().thresholds();
        long[] measured = new long[thresholds.size()];
        java.util.Arrays.fill(measured, Long.MAX_VALUE);
        List<String> failures = new ArrayList<>();
        Set<String> flaggedFineTunes = new TreeSet<>();
        Map<String, String> report = new TreeMap<>();
        int scratchWithVocab = 0;
        for (Row r : rows) {
            if (r.vocab().isEmpty()) continue;
            AnalysisInput in = input(r);
            CheckResult res = new TimeToLossCheck().run(in);
            boolean flagged = res.findings().stream().anyMatch(f -> f.code().equals(FindingCodes.L2_FASTER_THAN_SCRATCH));
            assertTrue(res.status() != CheckStatus.FAIL && res.pValue() == null, r.file() + ": L2 is soft");
            report.put(r.file(), r.label() + " -> " + res.status() + (flagged ? " FLAGGED" : "") + ": " + res.detail());
            if (r.label().equals("from-scratch")) {
                scratchWithVocab++;
                if (flagged) failures.add("FROM-SCRATCH FLAGGED: " + r.file() + " " + res.detail());
                double lnV = Math.log(Long.parseLong(r.vocab()));
                for (int k = 0; k < thresholds.size(); k++) {
                    double line = lnV - thresholds.get(k).dropNats();
                    for (String m : List.of(MetricSeries.TRAIN_LOSS, MetricSeries.VAL_LOSS)) {
                        MetricSeries s = in.metric(m).orElse(null);
                        if (s == null) continue;
                        for (int i = 0; i < s.size(); i++) {
                            if (s.value(i) <= line) {
                                measured[k] = Math.min(measured[k], updates(r.file(), m, s.step(i)));
                                break;
                            }
                        }
                    }
                }
            } else if (r.label().equals("fine-tune") && flagged) {
                flaggedFineTunes.add(r.file());
            }
        }
        report.forEach((f, line) -> System.out.println("L2 real log " + f + ": " + line));
        assertEquals(10, scratchWithVocab, "the calibration set is the 10 from-scratch logs with a vocabulary size");
        for (int k = 0; k < thresholds.size(); k++) {
            assertEquals(measured[k], thresholds.get(k).fastestScratchUpdates(),
                    "envelope at ln V - " + thresholds.get(k).dropNats() + " (re-measured from the from-scratch logs)");
        }
        assertEquals(new TreeSet<>(FLAGGED_FINE_TUNES), flaggedFineTunes, "fine-tunes flagged by L2");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
