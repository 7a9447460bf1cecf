package org.trainproof.trusted;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.sqlite.WitnessStateStore;
import org.trainproof.merkle.ProofException;
import org.trainproof.merkle.Proofs;
import org.trainproof.note.Checkpoint;
import org.trainproof.note.NoteException;
import org.trainproof.note.VerifierKey;

/**
 * A C2SP tlog-witness: {@code POST /add-checkpoint} (old size line, up to 63 consistency-proof
 * lines, empty line, signed checkpoint) answered with a tlog-cosignature/v1 line. Status codes as
 * the spec says: 404 unknown origin, 403 no valid signature by the origin's key (or a bad one),
 * 400 malformed or old size above the checkpoint size, 409 {@code <size>\n} as text/x.tlog.size
 * when the old size is not the size it last cosigned, 422 bad size-0 root, non-empty proof from 0,
 * failing proof, or same size with another root. Check-and-persist is atomic (one lock, one SQLite
 * transaction). Bodies over {@link #MAX_BODY} get 413; a request not read within
 * {@link #READ_DEADLINE_MS} is cut off.
 */
public final class WitnessServer implements AutoCloseable {
    public static final int MAX_BODY = 64 * 1024;
    public static final long READ_DEADLINE_MS = 10_000;
    private static final int MAX_PROOF_LINES = 63;

    private final HttpServer http;
    private final WitnessStateStore state;
    private final Cosigner cosigner;
    private final Map<String, VerifierKey> logs;
    private final Clock clock;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private final Object lock = new Object();

    public WitnessServer(InetSocketAddress listen, WitnessStateStore state, Cosigner cosigner, Map<String, VerifierKey> logs, Clock clock)
            throws IOException {
        this.state = state;
        this.cosigner = cosigner;
        this.logs = Map.copyOf(logs);
        this.clock = clock;
        this.http = HttpServer.create(listen, 16);
        http.createContext("/add-checkpoint", this::handle);
        http.setExecutor(pool);
        http.start();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private record Answer(int status, String contentType, String body) {}

    private void handle(HttpExchange ex) throws IOException {
        ScheduledFuture<?> cut = watchdog.schedule(ex::close, READ_DEADLINE_MS, TimeUnit.MILLISECONDS);
        Answer a;
        try {
            if (!ex.getRequestURI().getPath().equals("/add-checkpoint")) {
                a = new Answer(404, "text/plain", "not found\n");
            } else if (!"POST".equals(ex.getRequestMethod())) {
                a = new Answer(405, "text/plain", "POST only\n");
            } else {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readNBytes(MAX_BODY + 1);
                }
                a = body.length > MAX_BODY ? new Answer(413, "text/plain", "body over " + MAX_BODY + " bytes\n") : addCheckpoint(body);
            }
        } catch (RuntimeException e) {
            a = new Answer(500, "text/plain", "internal error\n");
        } finally {
            cut.cancel(false);
        }
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.sendResponseHeaders(a.status(), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private static Answer text(int status, String msg) {
        return new Answer(status, "text/plain; charset=utf-8", msg + "\n");
    }

    /** The protocol, on a whole request body. Public for tests of malformed input without HTTP. */
    Answer addCheckpoint(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), body)) return text(400, "body is not UTF-8");
        int nl = s.indexOf('\n');
        if (nl < 0) return text(400, "no old size line");
        String oldLine = s.substring(0, nl);
        if (!oldLine.matches("old (0|[1-9][0-9]{0,18})")) return text(400, "old size line must be 'old <decimal>'");
        long old;
        try {
            old = Long.parseLong(oldLine.substring(4));
        } catch (NumberFormatException e) {
            return text(400, "old size overflows");
        }
        List<byte[]> proof = new ArrayList<>();
        int pos = nl + 1;
        while (true) {
            int e = s.indexOf('\n', pos);
            if (e < 0) return text(400, "no empty line before the checkpoint");
            String line = s.substring(pos, e);
            pos = e + 1;
            if (line.isEmpty()) break;
            if (proof.size() == MAX_PROOF_LINES) return text(400, "more than " + MAX_PROOF_LINES + " proof lines");
            byte[] h;
            try {
                h = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException x) {
                return text(400, "proof line is not base64");
            }
            if (h.length != Digest.LENGTH) return text(400, "proof line is not a 32-byte hash");
            proof.add(h);
        }
        byte[] note = s.substring(pos).getBytes(StandardCharsets.UTF_8);
        String noteText = s.substring(pos);
        int firstNl = noteText.indexOf('\n');
        if (firstNl <= 0) return text(400, "no checkpoint");
        VerifierKey logKey = logs.get(noteText.substring(0, firstNl));
        if (logKey == null) return text(404, "unknown log origin");
        String[] lines = noteText.split("\n", 4);
        if (lines.length >= 3 && lines[1].equals("0") && !lines[2].equals(Base64.getEncoder().encodeToString(Digest.sha256(new byte[0]).toByteArray()))) {
            return text(422, "a size-0 checkpoint must carry the empty-tree root");
        }
        Checkpoint cp;
        String text;
        try {
            Checkpoint.Signed signed = Checkpoint.open(note, logKey, List.of());
            cp = signed.checkpoint();
            text = signed.note().text();
        } catch (NoteException e) {
            return e.kind() == NoteException.Kind.MALFORMED ? text(400, e.getMessage()) : text(403, e.getMessage());
        }
        if (old > cp.size()) return text(400, "old size " + old + " > checkpoint size " + cp.size());
        synchronized (lock) {
            state.begin();
            boolean done = false;
            try {
                Optional<WitnessStateStore.State> cur = state.get(cp.origin());
                long have = cur.map(WitnessStateStore.State::size).orElse(0L);
                if (old != have) return new Answer(409, "text/x.tlog.size", have + "\n");
                if (old == 0) {
                    if (!proof.isEmpty()) return text(422, "old size 0 needs an empty proof");
                } else if (old == cp.size()) {
                    if (!Arrays.equals(cur.get().root(), cp.root().toByteArray())) return text(422, "same size, different root: a fork");
                    if (!proof.isEmpty()) return text(422, "equal sizes need an empty proof");
                } else {
                    try {
                        Proofs.verifyConsistency(old, cp.size(), cur.get().root(), cp.root().toByteArray(), proof);
                    } catch (ProofException e) {
                        return text(422, "consistency proof does not verify: " + e.getMessage());
                    }
                }
                state.put(cp.origin(), cp.size(), cp.root().toByteArray(), note);
                state.commit();
                done = true;
            } catch (TrainproofException e) {
                return text(500, "cannot persist the witness state");
            } finally {
                if (!done) state.rollbackQuietly();
            }
        }
        long now = Math.max(1, clock.instant().getEpochSecond());
        return new Answer(200, "text/plain; charset=utf-8", cosigner.cosign(text, now) + "\n");
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
        watchdog.shutdownNow();
    }
}
