package org.trainproof.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.trainproof.ledger.Ledger;
import org.trainproof.verdict.Report;

/**
 * What a comparison's inputs are worth, written into the report's parameters so it stands alone (issue
 * 18): {@code evidence level} (files as given, or checkpoints a ledger certifies) and, per
 * {@code LEDGER@step} argument, {@code ledger a}/{@code ledger b} with the ledger's origin, size and root
 * and the file that matched its signed manifest root.
 */
final class CompareEvidence {
    private CompareEvidence() {}

    /** {@code located}: the checkpoint file each LEDGER@step argument resolved to (CheckpointLocator audited it). */
    static Report apply(Report r, String a, String b, Map<String, Path> located, long seed) {
        Map<String, String> params = new LinkedHashMap<>(r.parameters());
        int fromLedgers = 0;
        for (String[] side : new String[][] {{"a", a}, {"b", b}}) {
            Path file = located.get(side[1]);
            if (file == null) continue;
            fromLedgers++;
            params.put("ledger " + side[0], describe(side[1], file));
        }
        params.put("evidence level", switch (fromLedgers) {
            case 2 -> "both checkpoints certified by ledgers: each file matches the manifest root its ledger signs at that step, and each"
                    + " ledger passed its integrity audit against its own stored key (signer not authenticated: run verify --key for that)";
            case 1 -> "one checkpoint certified by a ledger (" + (located.containsKey(a) ? "A" : "B") + ", audited against its own stored"
                    + " key), the other a file as given: nothing ties that one to a signed record";
            default -> "weights only: two files as given; nothing ties them to a signed record (compare LEDGER@STEP ties each to a ledger)";
        });
        params.putIfAbsent("auditor seed", seed + " (reproduce with --seed " + seed + ")");
        return new Report(r.command(), r.subject(), r.outcome(), r.exitCode(), r.statement(), r.checks(), r.notChecked(), params,
                r.integrity(), r.provenance());
    }

    private static String describe(String arg, Path file) {
        int at = arg.lastIndexOf('@');
        Path db = Path.of(arg.substring(0, at));
        try (Ledger l = Ledger.openReadOnly(db)) {
            long size = l.size();
            return db + ": origin " + l.origin() + ", " + size + " entries, root " + l.root(size) + "; step " + arg.substring(at + 1)
                    + " is " + file + " (its manifest root matches the signed entry)";
        } catch (RuntimeException e) {
            return db + ": step " + arg.substring(at + 1) + " is " + file + " (ledger summary unreadable: " + e.getMessage() + ")";
        }
    }
}
