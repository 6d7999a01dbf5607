package io.idempotent.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.ForwardingCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.IdempotentDestination;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The forwarding bases override every method of the interface they forward, defaults included, so
 * that a wrapper built on them never falls back to a default that skips the wrapped object's own
 * behaviour (a wrapped destination's {@code requireHoldable}, a wrapped store's {@code list}).
 */
class ForwardingTest {

    @Test
    void theForwardingDestinationOverridesEveryMethod() {
        assertThat(
                        notOverridden(
                                IdempotentDestination.class, ForwardingDestination.class, Set.of()))
                .isEmpty();
    }

    @Test
    void theForwardingStoreOverridesEveryMethodButTheTwoWrittenAsApply() {
        assertThat(
                        notOverridden(
                                PartitionCheckpointStore.class,
                                ForwardingCheckpointStore.class,
                                Set.of("markPending", "commit")))
                .isEmpty();
    }

    private static List<String> notOverridden(
            Class<?> contract, Class<?> forwarding, Set<String> throughOthers) {
        List<String> missing = new ArrayList<>();
        for (Method method : contract.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())
                    || throughOthers.contains(method.getName())) {
                continue;
            }
            try {
                Method declared =
                        forwarding.getDeclaredMethod(method.getName(), method.getParameterTypes());
                assertThat(declared.getDeclaringClass()).isEqualTo(forwarding);
            } catch (NoSuchMethodException e) {
                missing.add(method.getName());
            }
        }
        return missing;
    }
}
