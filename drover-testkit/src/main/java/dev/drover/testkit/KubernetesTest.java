package dev.drover.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the shared test ground of this JVM. Test methods (and lifecycle
 * methods) may take {@link TestGround}, an admin {@code KubernetesClient}, and a fresh {@link
 * TestNamespace} per test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestGroundExtension.class)
@Tag("kube")
public @interface KubernetesTest {}
