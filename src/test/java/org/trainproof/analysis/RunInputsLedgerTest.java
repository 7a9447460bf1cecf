package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.ledger.Ledger;

/**
 * The analysis input read from a fixture ledger with and without the count sketches (verify drops them
 * unless --report draws charts): the same tensors, stats and samples, the same verdict, no sketch kept.
 */
class RunInputsLedgerTest {
    @Test
    void withoutSketches_sameChecksSameVerdict_noSketchHeld() {
        Path db = Path.of("fixtures", "spliced", "ledger.db");
        assumeTrue(Files.isRegularFile(db), "fixtures/spliced absent");
        AnalysisInput with, without;
        try (Ledger l = Ledger.openReadOnly(db)) {
            with = RunInputs.fromLedger(l, Long.MAX_VALUE, null, 0, null, true);
            without = RunInputs.fromLedger(l, Long.MAX_VALUE, null, 0, null, false);
        }
        assertEquals(with.trajectory().size(), without.trajectory().size());
        assertEquals(with.trajectory().tensors(), without.trajectory().tensors());
        for (int i = 0; i < with.trajectory().size(); i++) {
            for (String t : with.trajectory().tensors()) {
                TensorManifest a = with.trajectory().tensor(i, t), b = without.trajectory().tensor(i, t);
                assertNotNull(a.sketch(), t);
                assertNull(b.sketch(), t);
                assertEquals(a.stats(), b.stats());
                assertEquals(a.sample(), b.sample());
                assertEquals(a.sha256(), b.sha256());
            }
        }
        ConsistencyVerdict v1 = ConsistencyAnalysis.standard().run(with), v2 = ConsistencyAnalysis.standard().run(without);
        assertEquals(v1.outcome(), v2.outcome());
        assertEquals(v1.checks(), v2.checks());
    }
}
