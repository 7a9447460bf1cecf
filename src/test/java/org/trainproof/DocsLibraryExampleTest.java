package org.trainproof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java example in docs/library.md compiles against the library and runs on the scratch fixture; and the CLI agrees with it. */
class DocsLibraryExampleTest {
    @TempDir
    Path dir;

    @Test
    void libraryExample_compilesAndRuns_sameReportAsCli() throws Exception {
        String md = Files.readString(Path.of("docs", "library.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(md);
        assertTrue(m.find(), "no java block in docs/library.md");
        Path src = dir.resolve("VerifyExample.java");
        Files.writeString(src, m.group(1));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the example");
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), src.toString());
        assertEquals(0, rc, diag.toString());
        Path json = dir.resolve("r.json");
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true));
            cl.loadClass("VerifyExample").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {"fixtures/scratch", json.toString()});
        } finally {
            System.setOut(old);
        }
        var lib = new ObjectMapper().readTree(json.toFile());
        assertTrue(printed.toString().startsWith(lib.get("outcome").asText()), printed.toString());
        Path cliJson = dir.resolve("cli.json");
        int code = org.trainproof.cli.Cli.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()),
                "verify", "fixtures/scratch/ledger.db", "--key", "fixtures/scratch/signer.pub", "--artifacts", "fixtures/scratch",
                "--seed", "1", "--json", cliJson.toString(), "--quiet");
        var cli = new ObjectMapper().readTree(cliJson.toFile());
        assertEquals(cli.get("exit_code").asInt(), lib.get("exit_code").asInt());
        assertEquals(code, lib.get("exit_code").asInt());
        for (String f : List.of("outcome", "statement", "checks", "integrity", "parameters")) assertEquals(cli.get(f), lib.get(f), f);
    }
}
