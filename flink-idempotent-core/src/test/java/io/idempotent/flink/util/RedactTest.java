package io.idempotent.flink.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** URLs in messages keep where they point and lose what may be a secret (design.md row F17). */
class RedactTest {

    @Test
    void queryFragmentAndUserInfoAreLeftOut() {
        assertThat(Redact.url("jdbc:postgresql://db:5432/app?user=flink&password=s3cret"))
                .isEqualTo("jdbc:postgresql://db:5432/app?…");
        assertThat(Redact.url("https://alice:s3cret@api.example.com/v1/batch?token=t0ken#x"))
                .isEqualTo("https://…@api.example.com/v1/batch?…");
        assertThat(Redact.url("http://127.0.0.1:8080/batches"))
                .isEqualTo("http://127.0.0.1:8080/batches");
        assertThat(Redact.url("https://api.example.com/a@b"))
                .isEqualTo("https://api.example.com/a@b");
    }
}
