package io.idempotent.flink.testutils;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key stores made by the JDK's {@code keytool} for TLS tests on loopback: a self-signed server
 * certificate for {@code 127.0.0.1} and {@code localhost}, a client certificate, and trust stores
 * that trust one or the other. Every store is PKCS12 with {@link #PASSWORD}.
 */
public final class TestCertificates {

    public static final String PASSWORD = "test-store-secret";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /**
     * Makes the stores in {@code dir}: server.p12, client.p12, server-trust.p12, client-trust.p12.
     */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates certificates = new TestCertificates(dir);
        certificates.keyPair("server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        certificates.keyPair("client", "CN=idempotent-client", null);
        certificates.trust("server", "client-trust.p12");
        certificates.trust("client", "server-trust.p12");
        return certificates;
    }

    /** The server's certificate and key. */
    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    /** The client's certificate and key, for mutual TLS. */
    public Path clientKeyStore() {
        return dir.resolve("client.p12");
    }

    /** What a client trusts: the server's certificate. */
    public Path clientTrustStore() {
        return dir.resolve("client-trust.p12");
    }

    /** What a server that asks for client certificates trusts: the client's certificate. */
    public Path serverTrustStore() {
        return dir.resolve("server-trust.p12");
    }

    /** The server's TLS context: its key, and the client's certificate as trusted. */
    public SSLContext serverContext() throws Exception {
        KeyManagerFactory keys =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(serverKeyStore()), PASSWORD.toCharArray());
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(serverTrustStore()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path path) throws Exception {
        return KeyStore.getInstance(path.toFile(), PASSWORD.toCharArray());
    }

    private void keyPair(String alias, String name, String extension)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "-genkeypair",
                                "-alias",
                                alias,
                                "-keyalg",
                                "RSA",
                                "-keysize",
                                "2048",
                                "-validity",
                                "2",
                                "-dname",
                                name,
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                alias + ".p12",
                                "-storepass",
                                PASSWORD,
                                "-keypass",
                                PASSWORD));
        if (extension != null) {
            command.add("-ext");
            command.add(extension);
        }
        keytool(command);
        keytool(
                List.of(
                        "-exportcert",
                        "-alias",
                        alias,
                        "-keystore",
                        alias + ".p12",
                        "-storepass",
                        PASSWORD,
                        "-rfc",
                        "-file",
                        alias + ".pem"));
    }

    private void trust(String alias, String store) throws IOException, InterruptedException {
        keytool(
                List.of(
                        "-importcert",
                        "-noprompt",
                        "-alias",
                        alias,
                        "-file",
                        alias + ".pem",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store,
                        "-storepass",
                        PASSWORD));
    }

    /**
     * The server's private key as an unencrypted PKCS#8 PEM file readable by its owner only, as a
     * PostgreSQL server's {@code ssl_key_file} wants it.
     */
    public Path serverKeyPem() throws Exception {
        java.security.Key key = load(serverKeyStore()).getKey("server", PASSWORD.toCharArray());
        String pem =
                "-----BEGIN PRIVATE KEY-----\n"
                        + java.util.Base64.getMimeEncoder(
                                        64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n";
        Path file = dir.resolve("server-key.pem");
        java.nio.file.Files.writeString(file, pem, StandardCharsets.US_ASCII);
        java.nio.file.Files.setPosixFilePermissions(
                file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The PEM file of {@code alias}'s certificate ("server" or "client"). */
    public Path certificate(String alias) {
        return dir.resolve(alias + ".pem");
    }

    private void keytool(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(new File(dir.toFile(), "keytool.log"))
                        .start();
        if (process.waitFor() != 0) {
            throw new IOException(
                    "keytool failed: "
                            + java.nio.file.Files.readString(
                                    dir.resolve("keytool.log"), StandardCharsets.UTF_8));
        }
    }
}
