package io.idempotent.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.bench.ScaleBenchmark.Result;
import io.idempotent.flink.bench.ScaleBenchmark.Steady;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scale benchmark's rounds: per size the best round's steady figures count, all are kept. */
class ScaleResultRoundsTest {

    private static CpuProbe.Cpu cpu(double process) {
        return new CpuProbe.Cpu(process, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private static Result first(double rate, double cpu, String problems) {
        return new Result(
                ScaleBenchmark.Source.EMBEDDED,
                ScaleBenchmark.Store.ROCKSDB,
                10_000,
                new ScaleBenchmark.Speed(
                        1.5, 300_000, 900_000, rate, Double.NaN, cpu(cpu), List.of(rate)),
                new ScaleBenchmark.Writes(2, 10_000, 1.0, 12.0, 1_200.0),
                new ScaleBenchmark.Footprint(
                        58_898, 468_890, 160_321, 90_000, 140L << 20, 8L << 20),
                new ScaleBenchmark.Latency(300, 1.8),
                problems);
    }

    @Test
    void aFasterRoundReplacesTheSteadyFiguresAndTheSlowerOneStaysListed() {
        Result result =
                first(1_000_000, 1.8, "").withRound(new Steady(1_300_000, 7, cpu(1.4)), List.of());

        assertThat(result.speed().steadyRecordsPerSecond()).isEqualTo(1_300_000);
        assertThat(result.speed().steadyCpuPerMillion().process()).isEqualTo(1.4);
        assertThat(result.speed().bareReadRecordsPerSecond()).isEqualTo(7);
        assertThat(result.speed().steadyRounds()).containsExactly(1_000_000.0, 1_300_000.0);
        assertThat(result.latency().p99Millis())
                .isEqualTo(300); // the first round's other figures stay
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void aSlowerRoundKeepsTheSteadyFigures() {
        Result result =
                first(1_300_000, 1.4, "").withRound(new Steady(1_000_000, 7, cpu(1.8)), List.of());

        assertThat(result.speed().steadyRecordsPerSecond()).isEqualTo(1_300_000);
        assertThat(result.speed().steadyCpuPerMillion().process()).isEqualTo(1.4);
        assertThat(result.speed().steadyRounds()).containsExactly(1_300_000.0, 1_000_000.0);
    }

    @Test
    void aFailedRoundReplacesNothingAndItsProblemIsReportedWithItsRound() {
        Result result =
                first(1_300_000, 1.4, "")
                        .withRound(Steady.NONE, List.of("steady drain 2: 5 of 10 visible"));

        assertThat(result.speed().steadyRecordsPerSecond()).isEqualTo(1_300_000);
        assertThat(result.speed().steadyRounds()).hasSize(2).last().matches(r -> Double.isNaN(r));
        assertThat(result.problems()).isEqualTo("round 2: steady drain 2: 5 of 10 visible");
    }

    @Test
    void aRoundAfterAFailedFirstRoundCountsAndTheFirstProblemStays() {
        Result result =
                first(Double.NaN, Double.NaN, "live run: 5 of 10 visible")
                        .withRound(new Steady(1_000_000, Double.NaN, cpu(1.8)), List.of());

        assertThat(result.speed().steadyRecordsPerSecond()).isEqualTo(1_000_000);
        assertThat(result.problems()).isEqualTo("live run: 5 of 10 visible");
    }
}
