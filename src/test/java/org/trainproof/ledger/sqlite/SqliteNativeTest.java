package org.trainproof.ledger.sqlite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-user cache of sqlite-jdbc's native library (SqliteNative; docs/performance.md "Startup"). */
class SqliteNativeTest {
    @TempDir
    Path tmp;

    /** The library as the sqlite-jdbc jar holds it for this platform, read here independently of the cache. */
    private static byte[] jarLibrary() throws Exception {
        String res = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(res)) {
            assertNotNull(in, res);
            return in.readAllBytes();
        }
    }

    @Test
    void firstRunExtractsTheJarsLibrary_laterRunsReuseIt() throws Exception {
        Path dir = tmp.resolve("cache/sqlite-native");
        Path lib = SqliteNative.install(dir);
        assertNotNull(lib);
        byte[] want = jarLibrary();
        assertArrayEquals(want, Files.readAllBytes(lib));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Properties idx = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(SqliteNative.indexName()))) {
            idx.load(in);
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(want));
        assertEquals(sha, idx.getProperty("sha256"));
        assertTrue(lib.getFileName().toString().contains(sha.substring(0, 16)), lib.toString());
        // sqlite-jdbc deletes "sqlite-<version>*" files without a .lck from its temporary folder, which is this folder.
        assertFalse(lib.getFileName().toString().startsWith("sqlite-"), lib.toString());

        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(lib, before);
        assertEquals(lib, SqliteNative.install(dir));
        assertEquals(before, Files.getLastModifiedTime(lib), "an intact library is not rewritten");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "library and index only, no temporary files left");
        }
    }

    @Test
    void aDamagedLibrary_isExtractedAgain() throws Exception {
        Path dir = tmp.resolve("sqlite-native");
        Path lib = SqliteNative.install(dir);
        byte[] good = Files.readAllBytes(lib);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(lib, bad);
        assertNull(SqliteNative.verified(dir, dir.resolve(SqliteNative.indexName())), "one flipped bit fails the check");
        assertArrayEquals(good, Files.readAllBytes(SqliteNative.install(dir)));
        Files.write(lib, java.util.Arrays.copyOf(good, good.length / 3)); // torn write
        assertArrayEquals(good, Files.readAllBytes(SqliteNative.install(dir)));
        Files.writeString(dir.resolve(SqliteNative.indexName()), "file=../../etc/passwd\nsize=1\ncrc32=0\n");
        assertArrayEquals(good, Files.readAllBytes(SqliteNative.install(dir)), "an index naming a file outside the folder is ignored");
    }

    @Test
    void unsafeOrUnusableFolders_areNotUsed() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(SqliteNative.install(open), "a folder others can write is not trusted");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertNull(SqliteNative.install(file.resolve("sqlite-native")), "a folder that cannot be created");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("real")));
        assertNull(SqliteNative.install(link), "a symbolic link is not followed");
    }

    @Test
    void concurrentFirstRuns_allGetTheWholeLibrary() throws Exception {
        Path dir = tmp.resolve("sqlite-native");
        byte[] want = jarLibrary();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Path>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) runs.add(pool.submit((Callable<Path>) () -> SqliteNative.install(dir)));
            Path first = null;
            for (Future<Path> f : runs) {
                Path p = f.get();
                assertNotNull(p);
                if (first == null) first = p;
                assertEquals(first, p);
            }
            assertArrayEquals(want, Files.readAllBytes(first));
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count());
        }
    }

    /** A fresh JVM (as bin/trainproof starts) loads the cached copy and puts nothing into java.io.tmpdir. */
    @Test
    void aFreshProcess_loadsTheCachedLibrary() throws Exception {
        Path cache = tmp.resolve("c");
        Path javaTmp = Files.createDirectory(tmp.resolve("javatmp"));
        Path db = tmp.resolve("l.db");
        for (int run = 0; run < 2; run++) {
            List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + javaTmp, "-Xlog:library=info", "-cp", System.getProperty("java.class.path"), "org.trainproof.cli.Main");
            String k = tmp.resolve("k" + run).toString();
            String out = "";
            for (List<String> args : List.of(List.of("keygen", "--name", "t.example/lab", "--out", k),
                    List.of("init", "--key", k + ".key", "--origin", "t.example/run", db + "" + run))) {
                List<String> cmd = new ArrayList<>(java);
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().put("TRAINPROOF_CACHE_DIR", cache.toString());
                pb.redirectErrorStream(true);
                Process p = pb.start();
                out = new String(p.getInputStream().readAllBytes());
                assertEquals(0, p.waitFor(), out);
            }
            assertTrue(out.contains(cache.resolve("sqlite-native").toString()) && out.contains("libsqlitejdbc-"),
                    "run " + run + " loads the library from the cache: " + out);
            try (Stream<Path> s = Files.list(javaTmp)) {
                assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains("sqlite")).toList(), "nothing extracted to java.io.tmpdir");
            }
        }
    }

    /**
     * A JVM in which sqlite-jdbc loaded its own copy first (a host application's connection before any
     * of trainproof's): prepare must not load a second copy of SQLite, which crashed such a process
     * (SIGSEGV in column_int in about half the runs, CheckpointStepsTest's first version). The child
     * loads exactly one libsqlitejdbc, the one in java.io.tmpdir, and its queries run.
     */
    @Test
    void afterSqliteJdbcLoadedItsOwn_noSecondCopyIsLoaded() throws Exception {
        Path cache = tmp.resolve("c2");
        Path javaTmp = Files.createDirectory(tmp.resolve("javatmp2"));
        for (int run = 0; run < 3; run++) {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + javaTmp, "-Xlog:library=info", "-cp", System.getProperty("java.class.path"),
                    "org.trainproof.ledger.sqlite.SqliteAfterJdbcMain", tmp.resolve("raw" + run + ".db").toString());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("TRAINPROOF_CACHE_DIR", cache.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("lib.path=null sum=400"), out);
            long loads = out.lines().filter(l -> l.contains("Loaded library") && l.contains("libsqlitejdbc")).count();
            assertEquals(1, loads, "one copy of SQLite: " + out);
        }
    }
}
