package org.trainproof.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.FileManifest;
import org.trainproof.checkpoint.ManifestOptions;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.SlicePart;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * {@code verify --artifacts DIR} for a folded distributed checkpoint: each rank's files that are under
 * DIR are re-read and compared with the file root and the tensor (or slice) digests the entry records;
 * the ones that are not here are listed as {@link Status#NOT_HERE} — not a failure: on a cluster each
 * host holds only its own shards, and the hosts' reports combine ({@code trainproof merge-verify}).
 */
public final class ShardArtifacts {
    private ShardArtifacts() {}

    /** What happened to one shard file on this host. */
    public enum Status {
        MATCH("match"), MISMATCH("mismatch"), NOT_HERE("not re-read here");

        public final String text;

        Status(String text) {
            this.text = text;
        }
    }

    /** One shard file of one checkpoint entry: where it was recorded from and what this host found. */
    public record ShardCheck(long entry, Long step, String checkpoint, String file, Integer rank, String host, Status status,
            String tensor) {}

    public record Result(List<Finding> findings, List<ShardCheck> checks) {}

    /** Requires {@code m.folded()}; {@code base} is the normalised artifacts directory. */
    public static Result check(Path base, String name, CheckpointManifest m, long seq, Long step, LongConsumer progress) {
        List<Finding> findings = new ArrayList<>();
        List<ShardCheck> checks = new ArrayList<>();
        Location entryAt = Location.file(name).withEntry(seq);
        if (step != null) entryAt = entryAt.withStep(step);
        Path dir = base.resolve(name).normalize();
        if (!dir.startsWith(base)) {
            findings.add(Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                    "checkpoint name '" + name + "' escapes the artifacts directory; not re-hashed").at(entryAt));
            return new Result(findings, checks);
        }
        Map<String, Map<String, String>> expected = expectedDigests(m);
        TreeSet<Integer> absentRanks = new TreeSet<>();
        for (FileManifest f : m.files()) {
            String shown = name.equals(".") ? f.path() : name + "/" + f.path();
            Location at = Location.file(shown).withEntry(seq);
            if (step != null) at = at.withStep(step);
            Path p = dir.resolve(f.path()).normalize();
            if (!p.startsWith(dir)) {
                findings.add(Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                        "rank " + f.rank() + " file name '" + f.path() + "' escapes the checkpoint directory; not re-hashed").at(at));
                checks.add(new ShardCheck(seq, step, name, f.path(), f.rank(), f.host(), Status.MISMATCH, null));
                continue;
            }
            if (!Files.isRegularFile(p)) {
                absentRanks.add(f.rank());
                checks.add(new ShardCheck(seq, step, name, f.path(), f.rank(), f.host(), Status.NOT_HERE, null));
                continue;
            }
            CheckpointManifest now;
            try {
                org.trainproof.checkpoint.CheckpointSource dcp = org.trainproof.checkpoint.DcpReader.openShardFile(p);
                if (dcp != null) {
                    try (dcp) {
                        now = Manifests.of(dcp, ManifestOptions.defaults(), progress);
                    }
                } else {
                    now = Manifests.of(p, ManifestOptions.defaults(), progress);
                }
            } catch (TrainproofException e) {
                findings.add(Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, "rank " + f.rank() + " (host " + f.host()
                        + "): no longer a readable checkpoint file: " + e.getMessage()).at(at));
                checks.add(new ShardCheck(seq, step, name, f.path(), f.rank(), f.host(), Status.MISMATCH, null));
                continue;
            }
            if (now.root().equals(f.root()) && java.util.Objects.equals(now.files().get(0).headerSha256(), f.headerSha256())) {
                checks.add(new ShardCheck(seq, step, name, f.path(), f.rank(), f.host(), Status.MATCH, null));
                continue;
            }
            Finding d = localise(f, now, expected.getOrDefault(f.path(), Map.of()), at);
            findings.add(d);
            checks.add(new ShardCheck(seq, step, name, f.path(), f.rank(), f.host(), Status.MISMATCH, d.location().tensor()));
        }
        if (!absentRanks.isEmpty()) {
            findings.add(Finding.of(LedgerFindings.SHARDS_NOT_REREAD, Severity.INFO, absentRanks.size() + " of " + m.worldSize()
                    + " ranks' files are not under " + base + " (ranks " + abbreviate(absentRanks) + "): not re-read here, not a failure;"
                    + " combine the hosts' verify --json reports with 'trainproof merge-verify'").at(entryAt));
        }
        return new Result(findings, checks);
    }

    /** Per file: tensor name → digest the entry records for the bytes in that file (whole tensor or its slice). */
    private static Map<String, Map<String, String>> expectedDigests(CheckpointManifest m) {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (TensorManifest t : m.tensors()) {
            if (t.slices() == null) {
                if (t.file() != null) out.computeIfAbsent(t.file(), k -> new HashMap<>()).put(t.name(), t.sha256());
            } else {
                for (SlicePart s : t.slices()) out.computeIfAbsent(s.file(), k -> new HashMap<>()).put(t.name(), s.sha256());
            }
        }
        return out;
    }

    private static Finding localise(FileManifest f, CheckpointManifest now, Map<String, String> expected, Location at) {
        String who = "rank " + f.rank() + " (host " + f.host() + ")";
        List<String> changed = new ArrayList<>();
        Map<String, String> nowDigests = new HashMap<>();
        for (TensorManifest t : now.tensors()) nowDigests.put(t.name(), t.sha256());
        for (var e : new java.util.TreeMap<>(expected).entrySet()) {
            String a = nowDigests.remove(e.getKey());
            if (a == null || !a.equals(e.getValue())) changed.add(e.getKey());
        }
        changed.addAll(new TreeSet<>(nowDigests.keySet()));
        if (!changed.isEmpty()) {
            String t = changed.get(0);
            String exp = expected.get(t);
            String act = now.tensor(t).map(TensorManifest::sha256).orElse(null);
            String what = exp == null ? "tensor not in the recorded checkpoint" : act == null ? "tensor missing from the file" : "tensor bytes changed";
            String more = changed.size() == 1 ? "" : " (and " + (changed.size() - 1) + " more tensor" + (changed.size() == 2 ? "" : "s") + ")";
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, who + ": " + what + more)
                    .at(at.withTensor(t)).withMismatch(exp, act);
        }
        if (!java.util.Objects.equals(now.files().get(0).headerSha256(), f.headerSha256())) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, who + ": header changed")
                    .at(at).withMismatch(f.headerSha256(), now.files().get(0).headerSha256());
        }
        return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, who + ": file root differs")
                .at(at).withMismatch(f.root(), now.root());
    }

    private static String abbreviate(TreeSet<Integer> ranks) {
        List<Integer> l = new ArrayList<>(ranks);
        if (l.size() <= 16) return l.toString();
        return l.subList(0, 16) + " and " + (l.size() - 16) + " more";
    }
}
