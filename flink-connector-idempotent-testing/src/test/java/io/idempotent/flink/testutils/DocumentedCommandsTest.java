package io.idempotent.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentedCommandsTest {

    /** A documented argument in single quotes (a Flink setting with a space) stays one word. */
    @Test
    void quotedWordsStayWhole() {
        assertThat(DocumentedCommands.words("scale --flink-conf 'a.b=10 s'  --sizes 10,100"))
                .isEqualTo(List.of("scale", "--flink-conf", "a.b=10 s", "--sizes", "10,100"));
    }
}
