package org.trainproof.ledger.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * For SqliteNativeTest, in a child JVM: a raw sqlite-jdbc connection first (as a host application's
 * would be), so sqlite-jdbc loads its own copy of the library; then SqliteNative.prepare, then queries
 * whose JNI methods (column_int, column_text) were not yet called. Prints the lib-path property.
 * Usage: SqliteAfterJdbcMain DB
 */
public final class SqliteAfterJdbcMain {
    private SqliteAfterJdbcMain() {}

    public static void main(String[] args) throws Exception {
        String url = "jdbc:sqlite:" + Path.of(args[0]).toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t(a INTEGER, b TEXT)");
            s.execute("INSERT INTO t VALUES (7, 'x')");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                rs.getLong(1);
            }
        }
        SqliteNative.prepare();
        long sum = 0;
        for (int i = 0; i < 50; i++) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT a, b FROM t")) {
                while (rs.next()) sum += rs.getInt(1) + rs.getString(2).length();
            }
        }
        System.out.println("lib.path=" + System.getProperty("org.sqlite.lib.path") + " sum=" + sum);
    }
}
