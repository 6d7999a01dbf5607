package io.idempotent.flink.testutils;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.lang.ArchRule;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

/** Architecture rules every module of the project checks on its own classes. */
public final class ApiRules {

    private ApiRules() {}

    /**
     * Every public top-level type is either public API ({@code @PublicEvolving}) or
     * {@code @Internal}.
     */
    public static final ArchRule EVERY_PUBLIC_TYPE_SAYS_WHETHER_IT_IS_PUBLIC_API =
            classes()
                    .that()
                    .arePublic()
                    .and()
                    .areTopLevelClasses()
                    .should()
                    .beAnnotatedWith(PublicEvolving.class)
                    .orShould()
                    .beAnnotatedWith(Internal.class)
                    .because("users must see which types they may build on");
}
