package io.idempotent.flink.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.PostgresServer;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.sql.DriverManager;
import java.util.Collections;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;
import org.junit.jupiter.api.Test;

/** Connections opened from a job's own class loader, as on a Flink cluster. */
class PostgresConnectionsTest {

    /**
     * A job jar that bundles the library and the PostgreSQL driver is loaded by Flink's child-first
     * user-code class loader, a new one per job. {@link DriverManager} hands out only drivers the
     * caller's class loader sees as its own, and a driver class loaded by the job's loader
     * registers itself only when it is first initialised: a connection must not depend on that, or
     * every fresh job fails once with "No suitable driver" and recovers only by restarting.
     */
    @Test
    void aFreshJobClassLoaderConnectsAtOnce() throws Exception {
        String url = PostgresServer.jdbcUrl();
        // The TaskManager's DriverManager has long been initialised before a job arrives.
        Collections.list(DriverManager.getDrivers());
        URL[] jobJar = {
            location(PostgresConnections.class),
            location(JobClassLoaderProbe.class),
            location(org.postgresql.Driver.class)
        };
        ClassLoader task = Thread.currentThread().getContextClassLoader();
        try (MutableURLClassLoader job =
                FlinkUserCodeClassLoaders.create(
                        jobJar, getClass().getClassLoader(), new Configuration())) {
            Class<?> probe = job.loadClass(JobClassLoaderProbe.class.getName());
            assertThat(probe.getClassLoader())
                    .as("the probe and the library are the job's own")
                    .isNotSameAs(getClass().getClassLoader());
            Thread.currentThread().setContextClassLoader(job);
            int one;
            try {
                one = (int) probe.getMethod("selectOne", String.class).invoke(null, url);
            } catch (InvocationTargetException e) {
                throw new AssertionError("the first connection failed", e.getCause());
            } finally {
                Thread.currentThread().setContextClassLoader(task);
            }
            assertThat(one).isEqualTo(1);
        }
    }

    private static URL location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }
}
