package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.trainproof.crypto.SigningKey;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

/** Test ledgers and an attacker's raw SQL access to them. */
public final class LedgerFixtures {
    static final String ORIGIN = "example.com/runs/test";

    private LedgerFixtures() {}

    static SigningKey key() {
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) seed[i] = (byte) (i + 1);
        return SigningKey.fromSeed("example.com/lab", seed);
    }

    /** Another key with the same name (so only the key ID and signature tell them apart). */
    static SigningKey otherKey() {
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) seed[i] = (byte) (100 + i);
        return SigningKey.fromSeed("example.com/lab", seed);
    }

    static VerifierKey vkey() {
        return VerifierKey.parse(key().verifierKey());
    }

    static ObjectNode event(long step, String text) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("step", step);
        b.put("text", text);
        return b;
    }

    /** init + {@code batches} appends of two events each: 1 + 2·batches entries, 1 + batches checkpoints. */
    static Path ledger(Path dir, String name, int batches) {
        Path db = dir.resolve(name);
        ObjectNode cfg = JsonNodeFactory.instance.objectNode().put("vocab_size", 50257).put("loss_units", "nats");
        try (Ledger l = Ledger.init(db, key(), ORIGIN, cfg)) {
            for (int b = 0; b < batches; b++) {
                l.append(List.of(new EntryDraft("event", event(b * 10L, "a" + b)), new EntryDraft("event", event(b * 10L + 5, "b" + b))));
            }
        }
        return db;
    }

    static AuditReport audit(Path db, AuditRequest req) {
        try (Ledger l = Ledger.openReadOnly(db)) {
            return l.audit(req);
        }
    }

    static AuditReport audit(Path db) {
        return audit(db, new AuditRequest(vkey(), null, null));
    }

    /** Codes of FAIL (and WARNING) findings. */
    static Set<String> failCodes(AuditReport r) {
        Set<String> s = new TreeSet<>();
        for (Finding f : r.findings()) if (f.severity() != Severity.INFO) s.add(f.code());
        return s;
    }

    /** Raw access as an attacker with the file: drops the append-only triggers first. */
    public static Connection attacker(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            for (String t : new String[] {"meta", "entries", "nodes", "checkpoints"}) {
                st.execute("DROP TRIGGER IF EXISTS " + t + "_no_update");
                st.execute("DROP TRIGGER IF EXISTS " + t + "_no_delete");
            }
        }
        return c;
    }

    static void sql(Path db, String... statements) throws SQLException {
        try (Connection c = attacker(db); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        }
    }

    static byte[] blob(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getBytes(1) : null;
        }
    }

    static void setBlob(Connection c, String sql, byte[] value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setBytes(1, value);
            ps.executeUpdate();
        }
    }
}
