package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/trainproof's class-data archive and per-command JVM flags (docs/performance.md "Startup"), run
 * against a stand-in {@code $JAVA} that records its arguments, creates the files a class-list or
 * archive dump would, and fails on request — so the shell logic is tested without a built jar.
 */
class LauncherTest {
    @TempDir
    Path tmp;

    Path launcher;
    Path jar;
    Path jsa;
    Path calls;

    @BeforeEach
    void layout() throws Exception {
        Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(tmp.resolve("target"));
        launcher = Files.copy(Path.of("bin/trainproof"), tmp.resolve("bin/trainproof"));
        jar = Files.writeString(tmp.resolve("target/trainproof.jar"), "not really a jar");
        calls = tmp.resolve("calls");
        Path fake = tmp.resolve("fakejava");
        Files.writeString(fake, String.join("\n",
                "#!/bin/sh",
                "echo \"$*\" >> '" + calls + "'",
                "for a in \"$@\"; do",
                "  case $a in",
                "    -XX:DumpLoadedClassList=*) [ -n \"$FAIL_LIST\" ] && exit 1; echo 'java/lang/Object id: 0' > \"${a#*=}\" ;;",
                "    -Xshare:dump) dump=1 ;;",
                "    -XX:SharedArchiveFile=*) f=${a#*=} ;;",
                "  esac",
                "done",
                "if [ -n \"$dump\" ]; then [ -n \"$FAIL_DUMP\" ] && exit 1; echo archive > \"$f\"; fi",
                "for a in \"$@\"; do echo \"$a\"; done",
                ""));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        jsa = archiveOf(fake);
    }

    /** The archive the launcher keeps for a JVM binary: trainproof.<its real path, bytes outside [A-Za-z0-9._-] as _>.jsa. */
    Path archiveOf(Path javaBinary) throws Exception {
        StringBuilder name = new StringBuilder("trainproof.");
        for (byte b : javaBinary.toRealPath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            name.append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ? c : '_');
        }
        return tmp.resolve("target").resolve(name + ".jsa");
    }

    /** The arguments the launcher finally ran java with (one per line), for {@code args}. */
    List<String> run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA", tmp.resolve("fakejava").toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("TRAINPROOF_CDS");
        pb.environment().remove("TRAINPROOF_LIGHT");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    List<String> run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private static final List<String> LIGHT = List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:+UseSerialGC");

    private static boolean light(List<String> java) {
        return java.containsAll(LIGHT);
    }

    private static boolean anyLight(List<String> java) {
        return LIGHT.stream().anyMatch(java::contains);
    }

    @Test
    void firstRun_buildsTheStaticArchive_laterRunsMapIt() throws Exception {
        List<String> java = run("head", "l.db");
        assertTrue(Files.isRegularFile(jsa));
        List<String> log = Files.readAllLines(calls);
        assertEquals(3, log.size(), "class list, dump, then the command: " + log);
        assertTrue(log.get(0).contains("-XX:DumpLoadedClassList=") && log.get(0).contains("-cp " + jar + " org.trainproof.cli.CdsTraining"), log.get(0));
        assertTrue(log.get(1).contains("-Xshare:dump") && log.get(1).contains("-XX:SharedClassListFile=") && log.get(1).endsWith("-cp " + jar), log.get(1));
        assertTrue(java.contains("-XX:SharedArchiveFile=" + jsa), java.toString());
        assertEquals(List.of("-jar", jar.toString(), "head", "l.db"), java.subList(java.size() - 4, java.size()));
        try (Stream<Path> s = Files.list(tmp.resolve("target"))) {
            assertEquals(2, s.count(), "jar and archive only, no temporary class list or archive left");
        }
        Files.delete(calls);
        run("head", "l.db");
        assertEquals(1, Files.readAllLines(calls).size(), "an up-to-date archive is not rebuilt");
    }

    @Test
    void withoutJava_javaHomePicksTheJvm() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("jdk25/bin"));
        Files.copy(tmp.resolve("fakejava"), home.resolve("java"));
        Files.setPosixFilePermissions(home.resolve("java"), PosixFilePermissions.fromString("rwx------"));
        List<String> java = run(Map.of("JAVA", "", "JAVA_HOME", tmp.resolve("jdk25").toString(), "TRAINPROOF_CDS", "0"), "verify", "l.db");
        assertEquals(List.of("-jar", jar.toString(), "verify", "l.db"), java.subList(java.size() - 4, java.size()));
        assertTrue(Files.exists(calls), "$JAVA_HOME/bin/java ran");
    }

    @Test
    void eachJvmHasItsOwnArchive_rebuiltWhenTheJvmChanges_namedAsThePythonPackageNamesIt() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other-jdk/bin")).resolve("java");
        Files.copy(tmp.resolve("fakejava"), other);
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwx------"));
        run("head", "l.db");
        List<String> second = run(Map.of("JAVA", other.toString()), "head", "l.db");
        Path otherJsa = archiveOf(other);
        assertTrue(Files.isRegularFile(jsa) && Files.isRegularFile(otherJsa) && !jsa.equals(otherJsa), jsa + " " + otherJsa);
        assertTrue(second.contains("-XX:SharedArchiveFile=" + otherJsa), "a JVM maps its own archive, not another's: " + second);
        assertEquals(6, Files.readAllLines(calls).size(), "two builds (class list, dump) and two commands");
        Files.delete(calls);
        assertTrue(run("head", "l.db").contains("-XX:SharedArchiveFile=" + jsa));
        assertEquals(1, Files.readAllLines(calls).size(), "the first JVM's archive is still there and current");
        // a JVM updated in place (its binary newer than its archive) gets a new one
        Files.setLastModifiedTime(other, FileTime.fromMillis(Files.getLastModifiedTime(otherJsa).toMillis() + 10_000));
        Files.delete(calls);
        run(Map.of("JAVA", other.toString()), "head", "l.db");
        assertEquals(3, Files.readAllLines(calls).size());
        // the Python package's Cli maps the same file (python/trainproof/_cli.py cds_archive)
        Process py = new ProcessBuilder("python3", "-c", "import sys; sys.path.insert(0, sys.argv[1]); from trainproof._cli import cds_archive; "
                + "print(cds_archive(sys.argv[2], sys.argv[3])[0])", Path.of("python").toAbsolutePath().toString(), jar.toString(),
                other.toString()).redirectErrorStream(true).start();
        String out = new String(py.getInputStream().readAllBytes()).trim();
        assertEquals(0, py.waitFor(), out);
        assertEquals(otherJsa.toString(), out);
    }

    @Test
    void aJavaGivenByName_isFoundOnPath_andAnyPathNamesItsArchiveByteByByte() throws Exception {
        // a JVM under a folder whose name has a space and a two-byte character, reached through a
        // symbolic link on PATH: the archive is named after the resolved path, each such byte as _
        Path odd = Files.createDirectories(tmp.resolve("jdk \u00e9 25/bin")).resolve("java");
        Files.copy(tmp.resolve("fakejava"), odd);
        Files.setPosixFilePermissions(odd, PosixFilePermissions.fromString("rwx------"));
        Path pathDir = Files.createDirectories(tmp.resolve("pathbin"));
        Files.createDirectories(tmp.resolve("notjava/tpjava")); // a directory of that name earlier on PATH is skipped
        Files.createSymbolicLink(pathDir.resolve("tpjava"), odd);
        String path = tmp.resolve("notjava") + ":" + pathDir + ":" + System.getenv("PATH");
        List<String> java = run(Map.of("JAVA", "tpjava", "PATH", path), "head", "l.db");
        Path oddJsa = archiveOf(odd);
        assertTrue(oddJsa.getFileName().toString().contains("jdk____25"), "two spaces and both bytes of \u00e9 as _: " + oddJsa);
        assertTrue(Files.isRegularFile(oddJsa), oddJsa.toString());
        assertTrue(java.contains("-XX:SharedArchiveFile=" + oddJsa), java.toString());
    }

    @Test
    void aLauncherReachedThroughARelativeLink_findsItsJar() throws Exception {
        Path links = Files.createDirectories(tmp.resolve("links"));
        Files.createSymbolicLink(links.resolve("tp"), Path.of("../bin/trainproof"));
        List<String> cmd = List.of("sh", links.resolve("tp").toString(), "head", "l.db");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA", tmp.resolve("fakejava").toString());
        pb.environment().put("TRAINPROOF_CDS", "0");
        Process p = pb.start();
        List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), out.toString());
        assertEquals(List.of("-jar", jar.toString(), "head", "l.db"), out.subList(out.size() - 4, out.size()));
    }

    @Test
    void anArchiveOlderThanTheJar_isRebuilt() throws Exception {
        run("--version");
        Files.setLastModifiedTime(jsa, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 10_000));
        Files.delete(calls);
        run("--version");
        assertEquals(3, Files.readAllLines(calls).size());
        assertTrue(Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) >= 0);
    }

    @Test
    void aFailedArchiveBuild_runsWithoutOne_andLeavesNothingBehind() throws Exception {
        for (String fail : List.of("FAIL_LIST", "FAIL_DUMP")) {
            List<String> java = run(Map.of(fail, "1"), "head", "l.db");
            assertFalse(java.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), fail + ": " + java);
            assertTrue(light(java), java.toString());
            try (Stream<Path> s = Files.list(tmp.resolve("target"))) {
                assertEquals(List.of(jar), s.toList(), fail);
            }
        }
        List<String> java = run(Map.of("TRAINPROOF_CDS", "0"), "head", "l.db");
        assertFalse(Files.exists(jsa));
        assertFalse(java.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), java.toString());
    }

    @Test
    void lightCommands_getC1AndSerialGc_heavyOnesKeepTheDefaults() throws Exception {
        for (String[] args : new String[][] {{"head", "l.db"}, {"record", "l.db", "--key", "k.key", "--log", "train.jsonl"},
                {"--debug", "head", "l.db"}, {"init", "l.db"}, {"keygen"}, {"--version"}, {"--help"}, {}, {"verify", "l.db"}, {"--debug", "verify", "l.db"}}) {
            assertTrue(light(run(args)), String.join(" ", args));
        }
        for (String[] args : new String[][] {{"record", "l.db", "--key", "k.key", "--step", "5", "--checkpoint", "ckpt"},
                {"record", "l.db", "--checkpoint=ckpt", "--step", "5"}, {"record", "l.db", "--key", "k.key", "--serve"}, {"compare", "a", "b"}, {"inspect", "x"},
                {"bench"}, {"log", "l.db"}}) {
            assertFalse(anyLight(run(args)), String.join(" ", args));
        }
    }

    @Test
    void recordWithALedgerOrLogOver48MB_keepsTheDefaults() throws Exception {
        try (var f = new java.io.RandomAccessFile(tmp.resolve("big.db").toFile(), "rw")) {
            f.setLength((48L << 20) + 1); // sparse
        }
        try (var f = new java.io.RandomAccessFile(tmp.resolve("edge.db").toFile(), "rw")) {
            f.setLength(48L << 20);
        }
        assertFalse(anyLight(run("record", tmp.resolve("big.db").toString(), "--key", "k.key", "--log", "t.jsonl")));
        assertFalse(anyLight(run("record", tmp.resolve("edge.db").toString(), "--log", tmp.resolve("big.db").toString())), "a big log counts too");
        assertFalse(anyLight(run("record", tmp.resolve("edge.db").toString(), "--log=" + tmp.resolve("big.db"))), "as --log=FILE too");
        // a TensorBoard run directory counts by the files under it: 2 × 25 MB
        Path runs = Files.createDirectories(tmp.resolve("runs/a"));
        for (Path p : List.of(runs.resolve("events.out.tfevents.1.h"), runs.resolveSibling("events.out.tfevents.2.h"))) {
            try (var f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(25L << 20);
            }
        }
        assertFalse(anyLight(run("record", tmp.resolve("edge.db").toString(), "--log", tmp.resolve("runs").toString())), "a 50 MB run directory");
        assertTrue(light(run("record", tmp.resolve("edge.db").toString(), "--log", runs.toString())), "a 25 MB one is light");
        assertTrue(light(run("record", tmp.resolve("edge.db").toString(), "--log", "t.jsonl")), "48 MB exactly is still light");
        assertTrue(light(run("head", tmp.resolve("big.db").toString())), "head reads one row whatever the size");
    }

    @Test
    void verifyOfALedgerOver48MB_orCheckpointFilesOver16MB_keepsTheDefaults() throws Exception {
        try (var f = new java.io.RandomAccessFile(tmp.resolve("big.db").toFile(), "rw")) {
            f.setLength((48L << 20) + 1); // sparse
        }
        Path ck = Files.createDirectories(tmp.resolve("ck"));
        try (var f = new java.io.RandomAccessFile(ck.resolve("step-0.safetensors").toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        assertTrue(light(run("verify", "l.db", "--key", "k.pub", "--artifacts", ck.toString())), "16 MB of checkpoint files exactly");
        assertFalse(anyLight(run("verify", tmp.resolve("big.db").toString(), "--key", "k.pub")), "a ledger over 48 MB");
        try (var f = new java.io.RandomAccessFile(ck.resolve("step-1.safetensors").toFile(), "rw")) {
            f.setLength(1);
        }
        assertFalse(anyLight(run("verify", "l.db", "--artifacts", ck.toString())), "over 16 MB of checkpoint files");
        assertFalse(anyLight(run("verify", "l.db", "--artifacts=" + ck)), "as --artifacts=DIR too");
        // symbolic links: a linked directory, and a directory of linked files (a Hugging Face cache snapshot)
        Path link = Files.createSymbolicLink(tmp.resolve("ck-link"), ck);
        assertFalse(anyLight(run("verify", "l.db", "--artifacts", link.toString())), "a linked directory counts by what it holds");
        Path snap = Files.createDirectories(tmp.resolve("snapshot"));
        Files.createSymbolicLink(snap.resolve("model.safetensors"), ck.resolve("step-0.safetensors"));
        Files.createSymbolicLink(snap.resolve("model-2.safetensors"), ck.resolve("step-1.safetensors"));
        assertFalse(anyLight(run("verify", "l.db", "--artifacts", snap.toString())), "linked files count by their targets");
    }

    @Test
    void javaOpts_comeLast_andTheirCollectorReplacesOurs() throws Exception {
        List<String> java = run(Map.of("JAVA_OPTS", "-XX:+UseParallelGC -Xmx64m"), "head", "l.db");
        assertFalse(java.contains("-XX:+UseSerialGC"), "two collectors would stop the JVM: " + java);
        assertTrue(java.contains("-XX:TieredStopAtLevel=1"));
        assertTrue(java.indexOf("-Xmx64m") > java.indexOf("-XX:TieredStopAtLevel=1") && java.indexOf("-Xmx64m") < java.indexOf("-jar"), java.toString());
        java = run(Map.of("JAVA_OPTS", "-XX:TieredStopAtLevel=4"), "head", "l.db");
        assertTrue(java.lastIndexOf("-XX:TieredStopAtLevel=4") > java.indexOf("-XX:TieredStopAtLevel=1"), "the user's flag wins: " + java);
        assertFalse(anyLight(run(Map.of("TRAINPROOF_LIGHT", "0"), "head", "l.db")));
    }
}
