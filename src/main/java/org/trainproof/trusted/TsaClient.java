package org.trainproof.trusted;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import org.trainproof.crypto.Rfc3161;

/**
 * An RFC 3161 §3.4 HTTP client: POST {@code application/timestamp-query}, expect
 * {@code application/timestamp-reply}. Bounded in time (connect and whole request) and size.
 */
public final class TsaClient {
    /** Default for record: short, so a slow TSA delays a training step by at most this much. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final URI uri;
    private final Duration timeout;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();

    public TsaClient(URI uri, Duration timeout) {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("TSA URL must be http or https: " + uri);
        }
        this.uri = uri;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI uri() {
        return uri;
    }

    /** A fetched token and the nonce it was requested with. */
    public record Stamp(Rfc3161.Der token, byte[] nonce) {}

    /** Requests a token over {@code data}; throws on any failure (down, slow, refused, mismatched). */
    public Stamp timestamp(byte[] data) throws IOException, Rfc3161.TimestampException, InterruptedException {
        Rfc3161.Request req = Rfc3161.request(data, random);
        HttpRequest hr = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/timestamp-query")
                .POST(HttpRequest.BodyPublishers.ofByteArray(req.der().bytes())).build();
        HttpResponse<InputStream> resp = http.send(hr, HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(Rfc3161.MAX_BYTES + 1);
        }
        if (resp.statusCode() != 200) throw new IOException("TSA " + uri + " answered HTTP " + resp.statusCode());
        return new Stamp(Rfc3161.tokenFromResponse(req, body), req.nonce().toByteArray());
    }
}
