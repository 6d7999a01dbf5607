package io.idempotent.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool logs into a directory of the user's own, never under a fixed shared name. */
class LogFileTest {

    @TempDir Path home;

    @Test
    void theLogGoesToADirectoryOnlyTheUserCanEnterAndNeverThroughALink() throws Exception {
        assumeTrue(System.getenv("XDG_STATE_HOME") == null, "XDG_STATE_HOME chooses the place");
        String original = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            Path log = IdempotentTools.ownLogFile();
            Path directory = home.resolve(".local/state/idempotent");
            assertThat(log).isEqualTo(directory.resolve("cli.log"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                    .isEqualTo("rwx------");

            // A link placed where the directory goes (by anyone) is refused.
            Files.delete(directory);
            Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
            Files.createSymbolicLink(directory, elsewhere);
            assertThatThrownBy(IdempotentTools::ownLogFile)
                    .hasMessageContaining("is a link or belongs to another user");
        } finally {
            System.setProperty("user.home", original);
        }
    }
}
