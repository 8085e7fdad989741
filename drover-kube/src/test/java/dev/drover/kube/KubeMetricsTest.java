package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The tags of the apiserver meters: bounded, whatever the names of namespaces and objects. */
class KubeMetricsTest {

    @Test
    void aPathNamesItsResourceAndSubresourceButNeitherNamespaceNorName() {
        assertThat(KubeMetrics.resourceOf("/api/v1/pods")).isEqualTo("pods");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/team-a/pods")).isEqualTo("pods");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/team-a/pods/job-1-x7"))
                .isEqualTo("pods");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/team-a/pods/job-1-x7/log"))
                .isEqualTo("pods/log");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/team-a/events?limit=500"))
                .isEqualTo("events");
        assertThat(KubeMetrics.resourceOf("/apis/apps/v1/namespaces/team-a/deployments/web"))
                .isEqualTo("deployments");
        assertThat(KubeMetrics.resourceOf("/apis/apps/v1/deployments")).isEqualTo("deployments");
        assertThat(KubeMetrics.resourceOf("/version")).isEqualTo("version");
    }

    @Test
    void namespacesThemselvesAreANamespacesResource() {
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces")).isEqualTo("namespaces");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/team-a")).isEqualTo("namespaces");
        // a namespace called "namespaces" is still only a namespace
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/namespaces/pods")).isEqualTo("pods");
    }

    @Test
    void whatIsNotAResourcePathIsCountedAsOther() {
        assertThat(KubeMetrics.resourceOf("/")).isEqualTo("other");
        assertThat(KubeMetrics.resourceOf("/api/v1")).isEqualTo("other");
        assertThat(KubeMetrics.resourceOf("/api/v1/namespaces/ns/Pods")).isEqualTo("other");
        assertThat(KubeMetrics.resourceOf("/healthz/etcd")).isEqualTo("other");
    }

    @Test
    void requestsAreCountedByVerbResourceAndCode() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KubeMetrics m = new KubeMetrics(registry);
        m.request("create", "/api/v1/namespaces/a/pods", 201);
        m.request("create", "/api/v1/namespaces/b/pods", 201);
        m.request("create", "/api/v1/namespaces/b/pods", 0);

        assertThat(registry.get("drover.kube.requests")
                        .tags("verb", "create", "resource", "pods", "code", "201")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("drover.kube.requests")
                        .tag("code", "0")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("drover.kube.requests").counters()).hasSize(2);
    }
}
