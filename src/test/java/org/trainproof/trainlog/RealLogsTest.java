package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every real log in ../shared/realdata/logs is a test: its MANIFEST row gives the format and the
 * first logged loss; src/test/resources/trainlog/logs-expected.tsv gives record counts and the first
 * step computed independently (see its header). Failures are collected; zero rows read fails.
 */
class RealLogsTest {
    static final Path LOGS = Path.of("..", "shared", "realdata", "logs");

    static List<String[]> tsv(Path p) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            rows.add(line.split("\t", -1));
        }
        return rows;
    }

    static Map<String, String[]> expected() throws IOException {
        Map<String, String[]> m = new HashMap<>();
        try (InputStream in = RealLogsTest.class.getResourceAsStream("/trainlog/logs-expected.tsv")) {
            Objects.requireNonNull(in, "logs-expected.tsv");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] c = line.split("\t", -1);
                m.put(c[0], c);
            }
        }
        return m;
    }

    static long count(LogReadResult r, String metric) {
        return r.records().stream().filter(x -> x.metric().equals(metric)).count();
    }

    static Double first(LogReadResult r, String metric) {
        return r.records().stream().filter(x -> x.metric().equals(metric)).map(MetricRecord::value).findFirst().orElse(null);
    }

    /** Equal to the printed decimals; TensorBoard stores float32, so allow float32 rounding. */
    static boolean close(Double got, double want) {
        return got != null && Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));
    }

    @Test
    void manifestLogs_readWithExpectedFormatFirstStepFirstLossAndCounts() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(LOGS), "../shared/realdata/logs absent");
        List<String[]> rows = tsv(LOGS.resolve("MANIFEST.tsv"));
        Map<String, String[]> exp = expected();
        List<String> failures = new ArrayList<>();
        int read = 0;
        for (String[] row : rows) {
            if (row[0].equals("file")) continue; // header
            read++;
            String file = row[0];
            String[] e = exp.get(file);
            if (e == null) {
                failures.add(file + ": no expected counts (add it to logs-expected.tsv)");
                continue;
            }
            Path p = LOGS.resolve(file);
            LogFormat want = LogFormat.valueOf(e[1]);
            LogFormat got = LogReaders.detect(p);
            if (got != want) failures.add(file + ": detected " + got + ", expected " + want);
            LogReadResult r = LogReaders.read(p);
            long train = count(r, MetricNames.TRAIN_LOSS), val = count(r, MetricNames.VAL_LOSS);
            if (train != Long.parseLong(e[2])) failures.add(file + ": train/loss records " + train + ", expected " + e[2]);
            if (val != Long.parseLong(e[3])) failures.add(file + ": val/loss records " + val + ", expected " + e[3]);
            long minStep = r.records().stream().mapToLong(MetricRecord::step).min().orElse(-1);
            if (minStep != Long.parseLong(e[4])) failures.add(file + ": first step " + minStep + ", expected " + e[4]);
            // The MANIFEST's first_logged_loss is the first train or val loss the file prints
            // (llm.c stdout: its first train loss; elsewhere a step-0 val loss when printed first).
            double firstLoss = Double.parseDouble(row[7]);
            if (!close(first(r, MetricNames.TRAIN_LOSS), firstLoss) && !close(first(r, MetricNames.VAL_LOSS), firstLoss)) {
                failures.add(file + ": first loss " + firstLoss + " is neither first train/loss " + first(r, MetricNames.TRAIN_LOSS)
                        + " nor first val/loss " + first(r, MetricNames.VAL_LOSS));
            }
            checkByteRanges(p, r, failures);
        }
        assertTrue(read > 0, "read zero MANIFEST rows");
        assertEquals(exp.size(), read, "every expected row is in the MANIFEST");
        if (!failures.isEmpty()) fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }

    /** Every record's byte range lies inside its file, ranges never go backwards, ranges end at a unit boundary. */
    static void checkByteRanges(Path p, LogReadResult r, List<String> failures) throws IOException {
        Map<String, Long> lastStart = new HashMap<>();
        Map<String, byte[]> bytes = new HashMap<>();
        for (MetricRecord m : r.records()) {
            SourceRef s = m.source();
            byte[] b = bytes.computeIfAbsent(s.file(), f -> {
                try {
                    return Files.readAllBytes(Path.of(f)); // test files are small
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            if (s.end() > b.length) {
                failures.add(p + ": record range ends at " + s.end() + " beyond file size " + b.length);
                return;
            }
            Long prev = lastStart.put(s.file(), s.start());
            if (prev != null && s.start() < prev) {
                failures.add(p + ": record ranges go backwards at byte " + s.start());
                return;
            }
            if (s.index() < 0 && s.line() > 0 && s.end() < b.length && b[(int) s.end() - 1] != '\n') {
                failures.add(p + ": line record range [" + s.start() + "," + s.end() + ") does not end with a newline");
                return;
            }
            if (r.format() == LogFormat.HF_TRAINER_STATE && (b[(int) s.start()] != '{' || b[(int) s.end() - 1] != '}')) {
                failures.add(p + ": log_history entry range [" + s.start() + "," + s.end() + ") is not one JSON object");
                return;
            }
        }
        for (LogReadResult.FileRange f : r.files()) {
            if (f.stableEnd() > f.size()) failures.add(p + ": stable end " + f.stableEnd() + " > size " + f.size());
        }
    }
}
