package io.idempotent.flink.util;

import org.apache.flink.annotation.Internal;

/** How URLs appear in messages, logs and plan summaries: without what may be a secret. */
@Internal
public final class Redact {

    private Redact() {}

    /**
     * {@code url} without its query and fragment (a token, a JDBC {@code password=}) and without
     * user info ({@code user:password@}); the rest tells where it points.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String text = url;
        int cut = indexOfAny(text, '?', '#');
        if (cut >= 0) {
            text = text.substring(0, cut) + "?…";
        }
        int scheme = text.indexOf("://");
        int at = text.indexOf('@');
        if (scheme >= 0 && at > scheme) {
            int slash = text.indexOf('/', scheme + 3);
            if (slash < 0 || at < slash) {
                text = text.substring(0, scheme + 3) + "…@" + text.substring(at + 1);
            }
        }
        return text;
    }

    private static int indexOfAny(String text, char a, char b) {
        int first = text.indexOf(a);
        int second = text.indexOf(b);
        if (first < 0) {
            return second;
        }
        return second < 0 ? first : Math.min(first, second);
    }
}
