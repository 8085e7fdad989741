package dev.drover.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension behind {@link KubernetesTest}: one test ground per test JVM, started on first use
 * and stopped when the JVM exits; one namespace per test.
 */
public final class TestGroundExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace STORE =
            ExtensionContext.Namespace.create(TestGroundExtension.class);
    private static TestGround shared;

    /** The ground shared by every test of this JVM, started on first call. */
    public static synchronized TestGround sharedGround() {
        if (shared == null) {
            shared = TestGround.builder().auditLog(true).build().start();
        }
        return shared;
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> type = pc.getParameter().getType();
        return type == TestGround.class || type == KubernetesClient.class || type == TestNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> type = pc.getParameter().getType();
        ExtensionContext.Store store = ec.getStore(STORE);
        if (type == TestGround.class) {
            return sharedGround();
        }
        if (type == KubernetesClient.class) {
            return store.computeIfAbsent(
                            "client", k -> new ClosingClient(sharedGround().adminClient()), ClosingClient.class)
                    .client();
        }
        if (type == TestNamespace.class) {
            return store.computeIfAbsent(
                    "namespace",
                    k -> new TestNamespace(sharedGround()
                            .createNamespace(
                                    ec.getTestMethod().map(m -> m.getName()).orElse(ec.getDisplayName()))),
                    TestNamespace.class);
        }
        throw new ParameterResolutionException("unsupported parameter " + type);
    }

    /** Closed by JUnit when the test's store is torn down. */
    private record ClosingClient(KubernetesClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }
}
