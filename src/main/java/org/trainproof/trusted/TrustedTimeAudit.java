package org.trainproof.trusted;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.crypto.Rfc3161;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.note.Cosignature;
import org.trainproof.note.NoteException;
import org.trainproof.note.SignedNote;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * Checks the ledger's trusted-time evidence against the auditor's anchors: every RFC 3161 token
 * (imprint over its checkpoint note, stored nonce, signature, TSA chain with the timeStamping EKU)
 * and every witness cosignature (C2SP tlog-cosignature by a witness key the auditor gave), that
 * trusted times do not go backwards as checkpoints grow, and a quorum of witnesses on the latest
 * checkpoint. Its result is the {@code INTEGRITY_TIME} check: a token or cosignature that does not
 * verify or a missed quorum are integrity failures; a checkpoint without a token (TSA down when it
 * was written) is a warning; times that go backwards as checkpoints grow are information (see checkMonotonic).
 */
public final class TrustedTimeAudit {
    public static final String CHECK_ID = "INTEGRITY_TIME";
    public static final String TIMESTAMP_INVALID = "TIMESTAMP_INVALID";
    public static final String TIMESTAMP_MISSING = "TIMESTAMP_MISSING";
    public static final String TIMESTAMP_BACKWARDS = "TIMESTAMP_BACKWARDS";
    public static final String COSIGNATURE_INVALID = "COSIGNATURE_INVALID";
    public static final String COSIGNATURE_BACKWARDS = "COSIGNATURE_BACKWARDS";
    public static final String WITNESS_QUORUM_NOT_MET = "WITNESS_QUORUM_NOT_MET";

    /** One row of the timeline: the checkpoint (size, step of its last stepped entry) existed by {@code time}. */
    public record TimelineRow(long checkpointSize, Long step, Instant time, String source) {}

    /** The check, the timeline (sorted by checkpoint size, then time) and the JSON summary. */
    public record Result(CheckResult check, List<TimelineRow> timeline, Map<String, Object> summary) {
        /**
         * Per step, the earliest trusted time by which its checkpoint existed: a checkpoint's entries
         * are a prefix of every larger checkpoint's, so a token or cosignature on any checkpoint at
         * least as large also bounds it (minimum over the suffix).
         */
        /**
         * The rows whose time is no later than that of any larger checkpoint, in size order: the times
         * a span may be measured between (a token fetched late for an old checkpoint is not on it).
         */
        public List<TimelineRow> lowerEnvelope() {
            List<TimelineRow> bySizeDesc = new ArrayList<>(timeline);
            bySizeDesc.sort(Comparator.comparingLong(TimelineRow::checkpointSize).reversed().thenComparing(TimelineRow::time));
            List<TimelineRow> out = new ArrayList<>();
            Instant min = null;
            for (TimelineRow r : bySizeDesc) {
                if (r.step() == null) continue;
                if (min == null || !r.time().isAfter(min)) {
                    min = r.time();
                    out.add(0, r);
                }
            }
            // One row per step (the earliest), steps increasing.
            List<TimelineRow> dedup = new ArrayList<>();
            for (TimelineRow r : out) {
                if (!dedup.isEmpty() && dedup.get(dedup.size() - 1).step().equals(r.step())) continue;
                dedup.add(r);
            }
            return dedup;
        }

        public Map<Long, Instant> existedByStep() {
            List<TimelineRow> bySizeDesc = new ArrayList<>(timeline);
            bySizeDesc.sort(Comparator.comparingLong(TimelineRow::checkpointSize).reversed());
            Map<Long, Instant> m = new java.util.TreeMap<>();
            Instant min = null;
            for (TimelineRow r : bySizeDesc) {
                if (min == null || r.time().isBefore(min)) min = r.time();
                if (r.step() != null) m.merge(r.step(), min, (a, b) -> a.isBefore(b) ? a : b);
            }
            return m;
        }
    }

    private TrustedTimeAudit() {}

    /**
     * Requires {@code store} on a ledger whose integrity audit is clean (its checkpoint notes are the
     * signer's). {@code anchors} empty: tokens are counted, not verified. {@code quorum} 0: no quorum asked.
     */
    public static Result run(TrustedTimeStore store, List<X509Certificate> anchors, List<VerifierKey> witnesses, int quorum) {
        List<TrustedTimeStore.CheckpointRef> cps = store.checkpoints();
        Map<Long, TrustedTimeStore.CheckpointRef> byId = new HashMap<>();
        for (TrustedTimeStore.CheckpointRef c : cps) byId.put(c.id(), c);
        List<TrustedTimeStore.TokenRow> tokens = store.tokens();
        List<TrustedTimeStore.CosignatureRow> cosigs = store.cosignatures();
        List<Finding> findings = new ArrayList<>();
        List<TimelineRow> timeline = new ArrayList<>();
        int tokensOk = 0;
        Set<Long> stamped = new HashSet<>();
        if (!anchors.isEmpty()) {
            for (TrustedTimeStore.TokenRow t : tokens) {
                TrustedTimeStore.CheckpointRef c = byId.get(t.checkpointId());
                Location at = Location.entry(t.checkpointId()).withFile("timestamp_tokens row " + t.id());
                if (c == null) {
                    findings.add(Finding.of(TIMESTAMP_INVALID, Severity.FAIL, "token row " + t.id() + " names checkpoint "
                            + t.checkpointId() + ", which does not exist").at(at));
                    continue;
                }
                try {
                    Rfc3161.TokenInfo info = Rfc3161.verify(new Rfc3161.Der(t.token()), c.note(), new BigInteger(t.nonce()), anchors);
                    timeline.add(new TimelineRow(c.size(), c.step(), info.genTime(), "TSA " + info.tsa()));
                    stamped.add(c.id());
                    tokensOk++;
                } catch (Rfc3161.TimestampException e) {
                    findings.add(Finding.of(TIMESTAMP_INVALID, Severity.FAIL, "token for the checkpoint of size " + c.size()
                            + " (from " + t.tsa() + "): " + e.getMessage()).at(at));
                }
            }
            int missing = 0;
            Long firstMissing = null;
            for (TrustedTimeStore.CheckpointRef c : cps) {
                if (stamped.contains(c.id())) continue;
                missing++;
                if (firstMissing == null) firstMissing = c.size();
            }
            if (missing > 0) {
                findings.add(Finding.of(TIMESTAMP_MISSING, Severity.WARNING, missing + " of " + cps.size()
                        + " signed checkpoints have no valid timestamp token (first: size " + firstMissing
                        + "); 'trainproof timestamp LEDGER --tsa URL' fills missing ones, but only times after the fact"));
            }
            checkMonotonic(timeline.stream().filter(r -> r.source().startsWith("TSA ")).toList(), TIMESTAMP_BACKWARDS, findings);
        }
        // Cosignatures: only by witness keys the auditor gave; stored keys are not trusted.
        int cosigsOk = 0;
        Map<Long, Set<String>> witnessesByCheckpoint = new HashMap<>();
        if (!witnesses.isEmpty()) {
            Map<String, List<TimelineRow>> perWitness = new LinkedHashMap<>();
            for (TrustedTimeStore.CosignatureRow r : cosigs) {
                VerifierKey k = witnesses.stream().filter(w -> w.toString().equals(r.witness())).findFirst().orElse(null);
                if (k == null) continue;
                TrustedTimeStore.CheckpointRef c = byId.get(r.checkpointId());
                Location at = Location.entry(r.checkpointId()).withFile("cosignatures row " + r.id());
                try {
                    if (c == null) throw new IllegalArgumentException("names checkpoint " + r.checkpointId() + ", which does not exist");
                    if (r.signature().contains("\n")) throw new IllegalArgumentException("signature is not one line");
                    String note = new String(c.note(), StandardCharsets.UTF_8) + r.signature() + "\n";
                    SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(k));
                    long ts = Cosignature.parseLine(r.signature()).getValue().timestamp();
                    TimelineRow row = new TimelineRow(c.size(), c.step(), Instant.ofEpochSecond(ts), "witness " + k.label());
                    timeline.add(row);
                    perWitness.computeIfAbsent(k.label(), x -> new ArrayList<>()).add(row);
                    witnessesByCheckpoint.computeIfAbsent(c.id(), x -> new HashSet<>()).add(k.toString());
                    cosigsOk++;
                } catch (NoteException | IllegalArgumentException e) {
                    findings.add(Finding.of(COSIGNATURE_INVALID, Severity.FAIL, "cosignature by " + k.label() + " on checkpoint "
                            + r.checkpointId() + " does not verify: " + e.getMessage()).at(at));
                }
            }
            for (List<TimelineRow> rows : perWitness.values()) checkMonotonic(rows, COSIGNATURE_BACKWARDS, findings);
        }
        TrustedTimeStore.CheckpointRef latest = cps.isEmpty() ? null : cps.get(cps.size() - 1);
        int onLatest = latest == null ? 0 : witnessesByCheckpoint.getOrDefault(latest.id(), Set.of()).size();
        if (quorum > 0 && onLatest < quorum) {
            findings.add(Finding.of(WITNESS_QUORUM_NOT_MET, Severity.FAIL, "the latest checkpoint (size "
                    + (latest == null ? 0 : latest.size()) + ") has " + onLatest + " valid cosignatures from the given witnesses; "
                    + quorum + " required ('trainproof witness sync' gathers missing ones)").withStatistic(onLatest, (double) quorum, null));
        }
        timeline.sort(Comparator.comparingLong(TimelineRow::checkpointSize).thenComparing(TimelineRow::time));
        boolean failed = findings.stream().anyMatch(f -> f.severity() == Severity.FAIL);
        CheckStatus status;
        String detail;
        if (anchors.isEmpty() && witnesses.isEmpty()) {
            status = CheckStatus.NOT_RUN;
            detail = tokens.size() + " timestamp tokens and " + cosigs.size() + " cosignatures stored, none verified: give --tsa-cert"
                    + " and/or --witness-key; without them nothing shows when the ledger was written";
        } else {
            status = failed ? CheckStatus.FAIL : timeline.isEmpty() ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS;
            detail = tokensOk + " valid timestamp tokens (" + tokens.size() + " stored), " + cosigsOk + " valid cosignatures ("
                    + cosigs.size() + " stored)" + (quorum > 0 ? ", " + onLatest + "/" + quorum + " witnesses on the latest checkpoint" : "")
                    + (timeline.isEmpty() ? "; no trusted time" : "; " + describe(timeline));
        }
        CheckResult check = new CheckResult(CHECK_ID, "trusted time (RFC 3161 timestamps, witness cosignatures)", status,
                null, null, (long) timeline.size(), null, null, detail, findings);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("tokens_stored", tokens.size());
        summary.put("tokens_valid", tokensOk);
        summary.put("cosignatures_stored", cosigs.size());
        summary.put("cosignatures_valid", cosigsOk);
        summary.put("quorum", quorum);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TimelineRow r : timeline) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", r.step());
            m.put("checkpoint_size", r.checkpointSize());
            m.put("time", r.time().toString());
            m.put("source", r.source());
            rows.add(m);
        }
        summary.put("timeline", rows);
        return new Result(check, timeline, summary);
    }

    private static void checkMonotonic(List<TimelineRow> rows, String code, List<Finding> findings) {
        List<TimelineRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(TimelineRow::checkpointSize));
        for (int i = 1; i < sorted.size(); i++) {
            TimelineRow a = sorted.get(i - 1), b = sorted.get(i);
            if (b.checkpointSize() > a.checkpointSize() && b.time().isBefore(a.time())) {
                // Information only: a token bounds when a checkpoint existed from above, so no pattern of
                // tokens contradicts another (a checkpoint is a prefix of every larger one; see
                // Result.existedByStep). It arises honestly when a token is fetched later for an older
                // checkpoint ('trainproof timestamp' after a TSA outage), or from a TSA clock fault.
                Finding f = Finding.of(code, Severity.INFO, "trusted time goes backwards: checkpoint of size " + b.checkpointSize()
                        + " at " + b.time() + " (" + b.source() + ") is earlier than size " + a.checkpointSize() + " at " + a.time())
                        .withMismatch(">= " + a.time(), b.time().toString());
                findings.add(b.step() == null ? f : f.at(Location.step(b.step())));
            }
        }
    }

    private static String describe(List<TimelineRow> t) {
        TimelineRow a = t.get(0), b = t.get(t.size() - 1);
        return "first: size " + a.checkpointSize() + (a.step() == null ? "" : " (step " + a.step() + ")") + " by " + a.time()
                + ", last: size " + b.checkpointSize() + (b.step() == null ? "" : " (step " + b.step() + ")") + " by " + b.time();
    }
}
