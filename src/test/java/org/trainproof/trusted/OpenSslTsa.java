package org.trainproof.trusted;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import com.sun.net.httpserver.HttpServer;

/**
 * A real OpenSSL TSA for tests: a throw-away CA and a TSA certificate with the critical
 * timeStamping EKU, made by the openssl CLI in a temp directory, and {@code openssl ts -reply}
 * behind a loopback HTTP server (RFC 3161 §3.4 content types). {@code delayMillis} makes it slow.
 */
public final class OpenSslTsa implements AutoCloseable {
    public final Path dir;
    public final Path caPem;
    public final Path tsaPem;
    private final Path config;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    public volatile long delayMillis;

    /** True when an openssl binary with the ts command runs here. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("openssl", "ts", "-help").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 || p.exitValue() == 1;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public OpenSslTsa(Path dir, String caName) throws IOException, InterruptedException {
        this.dir = dir;
        Files.createDirectories(dir);
        caPem = dir.resolve("ca.pem");
        tsaPem = dir.resolve("tsa.pem");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve("ca.key").toString(), "-out", caPem.toString(), "-days", "30", "-subj", "/CN=" + caName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve("tsa.key").toString(), "-out", dir.resolve("tsa.csr").toString(), "-subj", "/CN=" + caName + " TSA");
        Files.writeString(dir.resolve("ext.cnf"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=critical,timeStamping\n");
        run("openssl", "x509", "-req", "-in", dir.resolve("tsa.csr").toString(), "-CA", caPem.toString(),
                "-CAkey", dir.resolve("ca.key").toString(), "-CAcreateserial", "-out", tsaPem.toString(), "-days", "30",
                "-extfile", dir.resolve("ext.cnf").toString());
        Files.writeString(dir.resolve("tsaserial"), "01\n");
        config = dir.resolve("tsa.cnf");
        String d = dir.toAbsolutePath().toString();
        Files.writeString(config, String.join("\n",
                "[ tsa ]", "default_tsa = tsa_config1", "[ tsa_config1 ]",
                "serial = " + d + "/tsaserial", "crypto_device = builtin",
                "signer_cert = " + d + "/tsa.pem", "certs = " + d + "/ca.pem", "signer_key = " + d + "/tsa.key",
                "signer_digest = sha256", "default_policy = 1.2.3.4.1", "digests = sha256",
                "accuracy = secs:1", "ordering = yes", "tsa_name = yes", "ess_cert_id_chain = no", "ess_cert_id_alg = sha256", ""));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/tsa", ex -> {
            try (ex) {
                byte[] q;
                try (InputStream in = ex.getRequestBody()) {
                    q = in.readNBytes(64 * 1024);
                }
                if (delayMillis > 0) Thread.sleep(delayMillis);
                int n = requests.incrementAndGet();
                Path qf = dir.resolve("q" + n + ".tsq");
                Path rf = dir.resolve("r" + n + ".tsr");
                Files.write(qf, q);
                synchronized (this) { // openssl ts updates its serial file
                    run("openssl", "ts", "-reply", "-config", config.toString(), "-queryfile", qf.toString(), "-out", rf.toString());
                }
                byte[] r = Files.readAllBytes(rf);
                ex.getResponseHeaders().set("Content-Type", "application/timestamp-reply");
                ex.sendResponseHeaders(200, r.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r);
                }
            } catch (Exception e) {
                ex.sendResponseHeaders(500, -1);
            }
        });
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tsa");
    }

    public int requests() {
        return requests.get();
    }

    /** Runs a command; throws with its output unless it exits 0. Returns its output. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", new ArrayList<>(List.of(cmd))) + " failed: " + out);
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
