package dev.drover.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** HTTPS from a PEM certificate (chain) and a PEM PKCS#8 private key, as {@code openssl} and cert-manager write them. */
public final class Tls {
    private static final Pattern KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private Tls() {}

    /** An SSL context serving {@code certFile}'s chain with {@code keyFile}'s key; errors name the file. */
    public static SSLContext fromPem(Path certFile, Path keyFile) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + certFile + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("--tls-cert " + certFile + ": no certificate in it");
        }
        PrivateKey key = key(keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("drover", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "--tls-key " + keyFile + " does not go with --tls-cert " + certFile + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey key(Path keyFile) {
        String text;
        try {
            text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-key " + keyFile + ": " + e.getMessage(), e);
        }
        Matcher m = KEY.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("--tls-key " + keyFile + ": no PKCS#8 key (BEGIN PRIVATE KEY) in it;"
                    + " convert it with `openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key`");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("--tls-key " + keyFile + ": not an RSA, EC or Ed25519 key");
    }
}
