package org.trainproof.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.Store;

/**
 * RFC 3161 time-stamp protocol over BouncyCastle bcpkix: requests (SHA-256 message imprint, a
 * random 64-bit nonce, certReq), response checking against the request, and offline token
 * verification against trust anchors (imprint, nonce, CMS signature, ESS signing certificate,
 * the TSA certificate's critical id-kp-timeStamping EKU (RFC 3161 §2.3), and a PKIX path from it to
 * an anchor at the token's genTime).
 */
public final class Rfc3161 {
    /** Responses and tokens larger than this are refused (a token with a short chain is 2–8 KB). */
    public static final int MAX_BYTES = 256 * 1024;

    private Rfc3161() {}

    /** A time-stamp request: its DER bytes and the nonce it carries. */
    public record Request(Der der, BigInteger nonce) {}

    /** Immutable DER bytes (records must not hold raw arrays). */
    public static final class Der {
        private final byte[] bytes;

        public Der(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }
    }

    /** What a verified token says: when (genTime), who (TSA subject), its serial and policy. */
    public record TokenInfo(Instant genTime, String tsa, BigInteger serial, String policy, BigInteger nonce) {}

    /** Thrown when a response or token is malformed or does not verify; the message says which rule broke. */
    public static final class TimestampException extends Exception {
        private static final long serialVersionUID = 1L;

        public TimestampException(String message) {
            super(message);
        }

        TimestampException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Builds a request over SHA-256({@code data}) with a fresh 64-bit nonce and certReq set. */
    public static Request request(byte[] data, SecureRandom random) {
        TimeStampRequestGenerator g = new TimeStampRequestGenerator();
        g.setCertReq(true);
        BigInteger nonce = new BigInteger(64, random);
        TimeStampRequest req = g.generate(TSPAlgorithms.SHA256, sha256(data), nonce);
        try {
            return new Request(new Der(req.getEncoded()), nonce);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a time-stamp request", e);
        }
    }

    /**
     * Checks a TSA response against {@code request} (status granted, imprint, nonce, certificate
     * included as certReq asked) and returns the token's DER. Does not check trust: that is
     * {@link #verify}'s job, offline, with the auditor's anchors.
     */
    public static Der tokenFromResponse(Request request, byte[] response) throws TimestampException {
        if (response.length > MAX_BYTES) throw new TimestampException("response larger than " + MAX_BYTES + " bytes");
        try {
            TimeStampRequest req = new TimeStampRequest(request.der().bytes());
            TimeStampResponse resp = new TimeStampResponse(response);
            resp.validate(req);
            TimeStampToken t = resp.getTimeStampToken();
            if (t == null) throw new TimestampException("TSA refused: status " + resp.getStatus() + " " + resp.getStatusString());
            return new Der(t.getEncoded());
        } catch (TSPException e) {
            throw new TimestampException("response does not match the request: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new TimestampException("malformed time-stamp response: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies {@code token} over {@code data}: SHA-256 imprint, nonce (when {@code nonce} is not
     * null), the CMS signature by the certificate the ESS attribute names (which must carry the
     * critical timeStamping EKU and be valid at genTime), and a PKIX path from that certificate
     * (with the token's other certificates as intermediates) to one of {@code anchors}, evaluated
     * at genTime, revocation not checked (offline).
     * Requires {@code anchors} non-empty.
     */
    public static TokenInfo verify(Der token, byte[] data, BigInteger nonce, Collection<X509Certificate> anchors)
            throws TimestampException {
        if (anchors.isEmpty()) throw new IllegalArgumentException("no trust anchors");
        if (token.length() > MAX_BYTES) throw new TimestampException("token larger than " + MAX_BYTES + " bytes");
        TimeStampToken t;
        try {
            t = new TimeStampToken(new org.bouncycastle.cms.CMSSignedData(token.bytes()));
        } catch (CMSException | TSPException | IOException | RuntimeException e) {
            throw new TimestampException("malformed time-stamp token: " + e.getMessage(), e);
        }
        var info = t.getTimeStampInfo();
        if (!NISTObjectIdentifiers.id_sha256.equals(info.getMessageImprintAlgOID())) {
            throw new TimestampException("message imprint is not SHA-256 (" + info.getMessageImprintAlgOID() + ")");
        }
        if (!MessageDigest.isEqual(info.getMessageImprintDigest(), sha256(data))) {
            throw new TimestampException("message imprint does not match the checkpoint note");
        }
        if (nonce != null && !nonce.equals(info.getNonce())) {
            throw new TimestampException("nonce " + info.getNonce() + " is not the requested " + nonce);
        }
        SignerId sid = t.getSID();
        @SuppressWarnings("unchecked")
        Store<X509CertificateHolder> store = t.getCertificates();
        Collection<X509CertificateHolder> matches = store.getMatches(sid);
        if (matches.isEmpty()) throw new TimestampException("token carries no certificate of its signer");
        X509CertificateHolder signer = matches.iterator().next();
        try {
            // validate(): signature, ESS signing-certificate hash, EKU (critical, timeStamping only), validity at genTime.
            t.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
        } catch (TSPException e) {
            throw new TimestampException("token signature or TSA certificate invalid: " + e.getMessage(), e);
        } catch (OperatorCreationException | CertificateException | RuntimeException e) {
            throw new TimestampException("cannot verify the token signature: " + e.getMessage(), e);
        }
        Instant gen = info.getGenTime().toInstant();
        checkChain(signer, store, anchors, gen);
        return new TokenInfo(gen, signer.getSubject().toString(), info.getSerialNumber(),
                info.getPolicy() == null ? null : info.getPolicy().getId(), info.getNonce());
    }

    private static void checkChain(X509CertificateHolder signer, Store<X509CertificateHolder> store,
            Collection<X509Certificate> anchors, Instant at) throws TimestampException {
        try {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            X509Certificate leaf = conv.getCertificate(signer);
            // Build the path by issuer names from the token's certificates; PKIX validates it.
            List<X509Certificate> pool = new ArrayList<>();
            for (X509CertificateHolder h : store.getMatches(null)) pool.add(conv.getCertificate(h));
            Set<TrustAnchor> tas = new HashSet<>();
            for (X509Certificate a : anchors) tas.add(new TrustAnchor(a, null));
            List<X509Certificate> path = new ArrayList<>();
            X509Certificate cur = leaf;
            for (int depth = 0; depth < 8; depth++) {
                path.add(cur);
                X509Certificate c = cur;
                if (anchors.stream().anyMatch(a -> a.getSubjectX500Principal().equals(c.getIssuerX500Principal()))) break;
                X509Certificate next = null;
                for (X509Certificate p : pool) {
                    if (p.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && !path.contains(p)) next = p;
                }
                if (next == null) break;
                cur = next;
            }
            // An anchor itself may have been included by the TSA: PKIX paths exclude the anchor.
            path.removeIf(p -> anchors.stream().anyMatch(a -> a.equals(p)) && p != leaf);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPath cp = cf.generateCertPath(path);
            PKIXParameters params = new PKIXParameters(tas);
            params.setRevocationEnabled(false);
            params.setDate(java.util.Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(cp, params);
        } catch (GeneralSecurityException e) {
            throw new TimestampException("TSA certificate does not chain to a trusted anchor: " + e.getMessage(), e);
        }
    }

    /** Reads PEM or DER X.509 certificates (a PEM file may hold several). */
    public static List<X509Certificate> readCertificates(byte[] pemOrDer) throws TimestampException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(pemOrDer))) out.add((X509Certificate) c);
            if (out.isEmpty()) throw new TimestampException("no certificate in the file");
            return out;
        } catch (CertificateException e) {
            throw new TimestampException("not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The genTime of a token without verifying anything (for listings; never for a verdict). */
    public static Instant unverifiedGenTime(Der token) throws TimestampException {
        try {
            return new TimeStampToken(new org.bouncycastle.cms.CMSSignedData(token.bytes())).getTimeStampInfo().getGenTime().toInstant();
        } catch (CMSException | TSPException | IOException | RuntimeException e) {
            throw new TimestampException("malformed time-stamp token: " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
