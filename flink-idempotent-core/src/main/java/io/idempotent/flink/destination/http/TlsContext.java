package io.idempotent.flink.destination.http;

import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.annotation.Nullable;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** The TLS context of an HTTP destination with its own trust store or client key store. */
final class TlsContext {

    private TlsContext() {}

    static SSLContext of(HttpDestinationBuilder.Settings<?> settings) {
        try {
            TrustManager[] trust = null;
            if (settings.trustStore != null) {
                TrustManagerFactory factory =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(load("trust store", settings.trustStore, settings.trustStorePassword));
                trust = factory.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (settings.keyStore != null) {
                KeyManagerFactory factory =
                        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(
                        load("key store", settings.keyStore, settings.keyStorePassword),
                        chars(settings.keyStorePassword));
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "The HTTP destination's TLS settings cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a PKCS12 or JKS file, whichever it is; the message names the file, not the password.
     */
    private static KeyStore load(String what, String path, @Nullable String password) {
        try {
            return KeyStore.getInstance(new File(path), chars(password));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    String.format(
                            "The HTTP destination's %s '%s' cannot be read on this TaskManager: %s."
                                    + " It must be a PKCS12 or JKS file at that path on every"
                                    + " TaskManager, opened by the password given with it.",
                            what, path, e.getMessage()),
                    e);
        }
    }

    @Nullable
    private static char[] chars(@Nullable String password) {
        return password == null ? null : password.toCharArray();
    }
}
