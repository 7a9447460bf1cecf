package org.trainproof.ledger.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ledger's trusted-time tables: RFC 3161 timestamp tokens and C2SP witness cosignatures, each
 * row naming the {@code checkpoints.id} whose note it covers. Neither is covered by the signer's
 * signature, and neither needs to be: a token or cosignature verifies only over the exact note
 * bytes, so a row can be dropped (reported as missing) but not forged. Append-only like the rest.
 * Created when a ledger is opened for writing ({@link #ensureSchema}), never by a read-only open;
 * read-only readers treat absent tables as empty.
 */
public final class TrustedTimeStore {
    /** The DDL, exactly; the schema audit declares the same statements. */
    public static final List<String> DDL = List.of(
            "CREATE TABLE timestamp_tokens(id INTEGER PRIMARY KEY, checkpoint_id INTEGER NOT NULL,"
                    + " tsa TEXT NOT NULL, nonce BLOB NOT NULL, token BLOB NOT NULL) STRICT",
            "CREATE TABLE cosignatures(id INTEGER PRIMARY KEY, checkpoint_id INTEGER NOT NULL,"
                    + " witness TEXT NOT NULL, signature TEXT NOT NULL) STRICT",
            trigger("timestamp_tokens", "UPDATE"), trigger("timestamp_tokens", "DELETE"),
            trigger("cosignatures", "UPDATE"), trigger("cosignatures", "DELETE"));

    private static String trigger(String table, String op) {
        return "CREATE TRIGGER " + table + "_no_" + op.toLowerCase() + " BEFORE " + op + " ON " + table
                + " BEGIN SELECT RAISE(ABORT, 'append-only ledger: " + op + " refused'); END";
    }

    private final SqliteStore store;

    public TrustedTimeStore(SqliteStore store) {
        this.store = store;
    }

    /** Creates the tables if this writable ledger lacks them (one short write transaction, only then). */
    public static void ensureSchema(SqliteStore store) {
        if (store.readOnly()) throw new IllegalStateException("read-only ledger");
        if (new TrustedTimeStore(store).tablesExist()) return;
        Connection c = store.connection();
        store.beginWrite();
        boolean ok = false;
        try (Statement st = c.createStatement()) {
            if (!new TrustedTimeStore(store).tablesExist()) {
                for (String ddl : DDL) st.execute(ddl);
            }
            store.commit();
            ok = true;
        } catch (SQLException e) {
            throw store.translate(e, "cannot create the trusted-time tables");
        } finally {
            if (!ok) store.rollbackQuietly();
        }
    }

    /** True when both tables exist (false on ledgers written before they were introduced). */
    public boolean tablesExist() {
        try (Statement st = store.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                        + " AND name IN ('timestamp_tokens', 'cosignatures')")) {
            return rs.next() && rs.getInt(1) == 2;
        } catch (SQLException e) {
            throw store.translate(e, "cannot read the schema");
        }
    }

    /** One stored token row, as stored (nothing verified). */
    public record TokenRow(long id, long checkpointId, String tsa, byte[] nonce, byte[] token) {}

    /** One stored cosignature row: the witness's verifier key text and its note signature line. */
    public record CosignatureRow(long id, long checkpointId, String witness, String signature) {}

    /** A signed checkpoint row with the step of the last stepped entry it covers (null if none has a step). */
    public record CheckpointRef(long id, long size, byte[] note, Long step) {}

    public void insertToken(long checkpointId, String tsa, byte[] nonce, byte[] token) {
        try (PreparedStatement ps = store.connection().prepareStatement(
                "INSERT INTO timestamp_tokens(checkpoint_id, tsa, nonce, token) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, checkpointId);
            ps.setString(2, tsa);
            ps.setBytes(3, nonce);
            ps.setBytes(4, token);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw store.translate(e, "cannot store the timestamp token");
        }
    }

    public void insertCosignature(long checkpointId, String witness, String signature) {
        try (PreparedStatement ps = store.connection().prepareStatement(
                "INSERT INTO cosignatures(checkpoint_id, witness, signature) VALUES (?, ?, ?)")) {
            ps.setLong(1, checkpointId);
            ps.setString(2, witness);
            ps.setString(3, signature);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw store.translate(e, "cannot store the cosignature");
        }
    }

    public List<TokenRow> tokens() {
        List<TokenRow> out = new ArrayList<>();
        if (!tablesExist()) return out;
        try (Statement st = store.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT id, checkpoint_id, tsa, nonce, token FROM timestamp_tokens ORDER BY id")) {
            while (rs.next()) out.add(new TokenRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBytes(4), rs.getBytes(5)));
            return out;
        } catch (SQLException e) {
            throw store.translate(e, "cannot read timestamp tokens");
        }
    }

    public List<CosignatureRow> cosignatures() {
        List<CosignatureRow> out = new ArrayList<>();
        if (!tablesExist()) return out;
        try (Statement st = store.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT id, checkpoint_id, witness, signature FROM cosignatures ORDER BY id")) {
            while (rs.next()) out.add(new CosignatureRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
            return out;
        } catch (SQLException e) {
            throw store.translate(e, "cannot read cosignatures");
        }
    }

    /**
     * Every signed checkpoint row in id order, with the step of the last stepped entry it covers (the
     * entry with a step and the largest seq below the checkpoint's size; null if none).
     *
     * <p>One scan of the stepped entries, then a binary search per checkpoint. The correlated subquery
     * this replaced walked back from each checkpoint to the last stepped entry: O(checkpoints × entries)
     * when a run records logs only (metrics entries have no step), and each row it read loaded its page:
     * {@code verify} of a ledger of 10,000 one-line {@code record} calls (10,000 checkpoints) took 25 s,
     * 90 % of it there.
     */
    public List<CheckpointRef> checkpoints() {
        long[] seqs = new long[64];
        long[] steps = new long[64];
        int n = 0;
        try (Statement st = store.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT seq, step FROM entries WHERE step IS NOT NULL ORDER BY seq")) {
            while (rs.next()) {
                if (n == seqs.length) {
                    seqs = Arrays.copyOf(seqs, 2 * n);
                    steps = Arrays.copyOf(steps, 2 * n);
                }
                seqs[n] = rs.getLong(1);
                steps[n] = rs.getLong(2);
                n++;
            }
        } catch (SQLException e) {
            throw store.translate(e, "cannot read checkpoints");
        }
        List<CheckpointRef> out = new ArrayList<>();
        try (Statement st = store.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT id, size, note FROM checkpoints ORDER BY id")) {
            while (rs.next()) {
                long size = rs.getLong(2);
                int at = Arrays.binarySearch(seqs, 0, n, size); // seqs are unique and ascending
                int last = (at >= 0 ? at : -at - 1) - 1; // the last stepped seq below size
                out.add(new CheckpointRef(rs.getLong(1), size, rs.getBytes(3), last >= 0 ? steps[last] : null));
            }
            return out;
        } catch (SQLException e) {
            throw store.translate(e, "cannot read checkpoints");
        }
    }

    /** The id of the checkpoint row written last (in this transaction, the one just inserted). */
    public long latestCheckpointId() {
        return store.latestCheckpoint().orElseThrow(() -> new IllegalStateException("no checkpoint")).id();
    }

    public void beginWrite() {
        store.beginWrite();
    }

    public void commit() {
        store.commit();
    }

    public void rollbackQuietly() {
        store.rollbackQuietly();
    }
}
