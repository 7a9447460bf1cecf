package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.trainproof.merkle.Hashes;

/**
 * Entries written before the Ryu formatter hold 2^-24 as 5.9604644775390625e-8 (the old BigDecimal
 * search; ECMAScript and RFC 8785 write 5.960464477539063e-8). They still decode (an audit must not
 * call an old ledger altered), while other non-canonical bytes are still refused.
 */
class LegacyNumberEntryTest {
    private static byte[] entryWith(double v) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("min", v);
        return Entries.build(0, null, null, "metrics", Instant.parse("2026-12-01T00:00:00Z"), body).canonicalBytes();
    }

    @Test
    void oldFormOfAPowerOfTwo_decodes() throws Exception {
        byte[] now = entryWith(0x1p-24);
        String text = new String(now, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"min\":5.960464477539063e-8"), text);
        byte[] old = text.replace("5.960464477539063e-8", "5.9604644775390625e-8").getBytes(StandardCharsets.UTF_8);
        LedgerEntry e = Entries.decode(old);
        assertArrayEquals(old, e.canonicalBytes());
        assertEquals(Hashes.leaf(old), e.leafHash());
        assertEquals(0x1p-24, e.body().get("min").doubleValue());
    }

    @Test
    void otherNonCanonicalNumbers_stillRefused() {
        String text = new String(entryWith(1.5), StandardCharsets.UTF_8);
        byte[] padded = text.replace("\"min\":1.5", "\"min\":1.50").getBytes(StandardCharsets.UTF_8);
        Entries.EntryFormatException ex = assertThrows(Entries.EntryFormatException.class, () -> Entries.decode(padded));
        assertTrue(ex.notCanonical());
        // the old form of a value the old formatter wrote correctly is not accepted either
        String t2 = new String(entryWith(0x1p-30), StandardCharsets.UTF_8);
        assertTrue(t2.contains("9.313225746154785e-10"), t2);
        byte[] longer = t2.replace("9.313225746154785e-10", "9.3132257461547852e-10").getBytes(StandardCharsets.UTF_8);
        assertThrows(Entries.EntryFormatException.class, () -> Entries.decode(longer));
    }
}
