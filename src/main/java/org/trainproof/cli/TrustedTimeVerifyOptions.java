package org.trainproof.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.trainproof.TrainproofException;
import org.trainproof.Verification;
import org.trainproof.crypto.Rfc3161;
import org.trainproof.note.VerifierKey;
import picocli.CommandLine.Option;

/** verify's trusted-time options and how their result joins the report. */
final class TrustedTimeVerifyOptions {
    @Option(names = "--tsa-cert", paramLabel = "CERT.pem", description = "A trusted TSA root or intermediate (repeatable): verify every"
            + " stored RFC 3161 token (imprint, nonce, signature, timeStamping EKU, chain) and show the step -> trusted time timeline.")
    List<Path> tsaCerts = new ArrayList<>();

    @Option(names = "--witness-key", paramLabel = "W.pub", description = "A witness's cosignature verifier key (repeatable): verify the"
            + " stored cosignatures by it.")
    List<Path> witnessKeys = new ArrayList<>();

    @Option(names = "--quorum", paramLabel = "K", description = "Require K valid cosignatures from the given witnesses on the latest checkpoint.")
    int quorum;

    /** The trust anchors and witness keys as a library request (read and checked here: bad files are exit 3). */
    Verification.TrustedTime toRequest() {
        if (quorum < 0 || quorum > witnessKeys.size()) throw TrainproofException.usage("--quorum must be between 0 and the number of --witness-key");
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path p : tsaCerts) {
            try {
                if (Files.size(p) > Rfc3161.MAX_BYTES) throw TrainproofException.badInput(p, "too large for a certificate file");
                anchors.addAll(Rfc3161.readCertificates(Files.readAllBytes(p)));
            } catch (IOException e) {
                throw TrainproofException.badInput(p, "cannot read: " + e.getMessage());
            } catch (Rfc3161.TimestampException e) {
                throw TrainproofException.badInput(p, e.getMessage());
            }
        }
        List<VerifierKey> witnesses = new ArrayList<>();
        for (Path p : witnessKeys) {
            VerifierKey k = CliKeys.readVerifierKey(p);
            if (k.type() != VerifierKey.TYPE_COSIGNATURE_V1) throw TrainproofException.badInput(p, "not a cosignature/v1 (type 0x04) witness key");
            witnesses.add(k);
        }
        return new Verification.TrustedTime(anchors, witnesses, quorum);
    }
}
