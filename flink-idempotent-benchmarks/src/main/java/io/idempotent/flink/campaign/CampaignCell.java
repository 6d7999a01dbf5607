package io.idempotent.flink.campaign;

import io.idempotent.flink.sink.DeliveryMode;
import java.util.ArrayList;
import java.util.List;

/** One job of the campaign: a delivery mode, a destination and a stream. */
record CampaignCell(DeliveryMode mode, Destination destination, Stream stream) {

    enum Destination {
        FILES,
        POSTGRES,
        HTTP
    }

    enum Stream {
        LOCAL,
        KAFKA
    }

    /** Every combination: both modes, the three destinations, both streams. */
    static List<CampaignCell> all() {
        List<CampaignCell> cells = new ArrayList<>();
        for (DeliveryMode mode : List.of(DeliveryMode.EAGER, DeliveryMode.BARRIER)) {
            for (Destination destination : Destination.values()) {
                for (Stream stream : Stream.values()) {
                    cells.add(new CampaignCell(mode, destination, stream));
                }
            }
        }
        return cells;
    }

    /** The kinds of fault that apply to this cell. */
    List<FaultKind> kinds() {
        List<FaultKind> kinds = new ArrayList<>();
        for (FaultKind kind : FaultKind.values()) {
            if (kind.appliesTo(destination)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    String label() {
        return String.format(
                "%-7s %-8s %-5s",
                mode.name().toLowerCase(java.util.Locale.ROOT),
                destination.name().toLowerCase(java.util.Locale.ROOT),
                stream.name().toLowerCase(java.util.Locale.ROOT));
    }
}
