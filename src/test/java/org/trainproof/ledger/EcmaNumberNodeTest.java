package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Number serialisation against ECMAScript itself: Node.js's {@code String(x)} on 50,000 edge-case
 * and random doubles must equal ours byte for byte (EcmaNumberNodeMain runs millions on demand).
 */
class EcmaNumberNodeTest {
    @Test
    void numbersMatchNodeByteForByte() throws Exception {
        Assumptions.assumeTrue(EcmaNumberNode.nodeAvailable(), "node is not on PATH: number serialisation not compared with Node.js");
        double[] values = EcmaNumberNode.values(50_000, 8785);
        assertTrue(values.length >= 50_000, "values: " + values.length);
        List<EcmaNumberNode.Mismatch> bad = EcmaNumberNode.compare(values, EcmaNumberNode::ours);
        assertEquals(List.of(), bad.subList(0, Math.min(20, bad.size())), bad.size() + " of " + values.length + " differ");
    }

    /** The comparison itself can fail: a formatter that is off in one digit is caught. */
    @Test
    void comparisonCatchesAWrongFormatter() throws Exception {
        Assumptions.assumeTrue(EcmaNumberNode.nodeAvailable(), "node is not on PATH");
        double[] values = {0.1, 1e21, 5e-324, 1.5};
        List<EcmaNumberNode.Mismatch> bad = EcmaNumberNode.compare(values, d -> d == 1e21 ? "1e21" : EcmaNumberNode.ours(d));
        assertEquals(1, bad.size(), bad.toString());
        assertEquals("1e+21", bad.get(0).node());
    }
}
