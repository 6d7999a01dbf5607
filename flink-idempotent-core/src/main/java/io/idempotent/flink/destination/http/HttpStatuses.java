package io.idempotent.flink.destination.http;

import java.io.Serializable;
import java.util.BitSet;
import java.util.Locale;

/**
 * A set of HTTP status codes written as a user writes it: codes, ranges and classes separated by
 * commas, e.g. {@code 2xx}, {@code 200,201,204} or {@code 400,404-405,413}.
 */
final class HttpStatuses implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String spec;
    private final BitSet codes;

    private HttpStatuses(String spec, BitSet codes) {
        this.spec = spec;
        this.codes = codes;
    }

    /** Parses {@code spec}; an empty one is the empty set. */
    static HttpStatuses parse(String what, String spec) {
        BitSet codes = new BitSet(600);
        for (String part : spec.split(",")) {
            String item = part.trim().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            int from;
            int to;
            try {
                if (item.length() == 3 && item.endsWith("xx")) {
                    from = Integer.parseInt(item.substring(0, 1)) * 100;
                    to = from + 99;
                } else if (item.contains("-")) {
                    from = Integer.parseInt(item.substring(0, item.indexOf('-')).trim());
                    to = Integer.parseInt(item.substring(item.indexOf('-') + 1).trim());
                } else {
                    from = Integer.parseInt(item);
                    to = from;
                }
            } catch (NumberFormatException e) {
                from = -1;
                to = -1;
            }
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s: '%s' is not an HTTP status, a range such as 200-204 or a"
                                        + " class such as 2xx (in '%s').",
                                what, part.trim(), spec));
            }
            codes.set(from, to + 1);
        }
        return new HttpStatuses(spec.trim(), codes);
    }

    boolean contains(int status) {
        return status >= 0 && codes.get(status);
    }

    boolean overlaps(HttpStatuses other) {
        return codes.intersects(other.codes);
    }

    @Override
    public String toString() {
        return spec;
    }
}
