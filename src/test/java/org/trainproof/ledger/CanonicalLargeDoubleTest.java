package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Doubles beyond 2^53 with an integral value are written by RFC 8785 as integer literals; the ledger
 * must read back what it wrote (found by recording real logs: HF total_flos, TensorBoard values).
 */
class CanonicalLargeDoubleTest {
    @Test
    void integralDoubleBeyond2to53_roundTrips() throws Exception {
        for (double d : new double[] {3.718809382109184e16, 1.1316309394037146e17, -9.007199254740994e15, 9.999999999999999e20}) {
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("v", d);
            byte[] bytes = CanonicalJson.canonicalize(o);
            ObjectNode back = CanonicalJson.parseObject(bytes);
            assertArrayEquals(bytes, CanonicalJson.canonicalize(back), new String(bytes, StandardCharsets.UTF_8));
            assertEquals(d, back.get("v").asDouble());
        }
    }

    @Test
    void integerLiteralThatIsNotACanonicalDouble_rejected() throws Exception {
        // 2^53 + 1 is no double; 113163093940371456 is the exact value but not the shortest form.
        for (String lit : new String[] {"9007199254740993", "113163093940371456"}) {
            ObjectNode back = CanonicalJson.parseObject(("{\"v\":" + lit + "}").getBytes(StandardCharsets.UTF_8));
            assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(back), lit);
        }
    }
}
