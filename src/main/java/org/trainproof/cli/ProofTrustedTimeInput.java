package org.trainproof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.trainproof.TrainproofException;
import org.trainproof.Verification;
import org.trainproof.note.NoteException;
import org.trainproof.note.TlogProof;
import org.trainproof.trusted.ProofTrustedTime;

/** verify-proof's trusted-time step: the bundle (already checked by ProofBundle.verify) read again for its note and evidence. */
final class ProofTrustedTimeInput {
    private ProofTrustedTimeInput() {}

    static ProofTrustedTime.Result check(Path file, byte[] bytes, long size, Verification.TrustedTime tt) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        JsonNode bundle = null;
        String proofText = text;
        try {
            if (text.startsWith("{")) {
                bundle = new ObjectMapper().readTree(bytes);
                proofText = bundle.get("tlog_proof").textValue();
            }
            String note = TlogProof.parse(proofText).checkpointNote();
            return ProofTrustedTime.verify(bundle, note, size, tt.anchors(), tt.witnesses(), tt.quorum());
        } catch (IOException | NoteException e) {
            throw TrainproofException.badInput(file, e.getMessage());
        }
    }
}
