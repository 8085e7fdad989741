package dev.drover.kube;

import static dev.drover.kube.Fixtures.label;
import static dev.drover.kube.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@KubernetesTest
class InformerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private KubeApi api;

    @BeforeEach
    void connect(TestGround ground) {
        api = KubeApi.builder(ground.adminConfig()).build();
    }

    @AfterEach
    void disconnect() {
        api.close();
    }

    @Test
    void theInitialListArrivesAsAddedDeltasThenSynced(KubernetesClient client, TestNamespace ns) throws Exception {
        pod(client, ns.name(), "a", Map.of());
        pod(client, ns.name(), "b", Map.of());
        var seen = new Fixtures.Recorder<PodView>();

        try (var informer =
                Informer.pods(api).namespaces(ns.name()).listener(seen).build().start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();

            assertThat(seen.describe()).containsExactlyInAnyOrder("added a", "added b", "synced INITIAL");
            assertThat(seen.describe().getLast()).isEqualTo("synced INITIAL");
            assertThat(informer.store().size()).isEqualTo(2);
        }
    }

    @Test
    void watchDeltasFollowAddModifyDelete(KubernetesClient client, TestNamespace ns) throws Exception {
        var seen = new Fixtures.Recorder<PodView>();
        try (var informer =
                Informer.pods(api).namespaces(ns.name()).listener(seen).build().start()) {
            informer.awaitSynced(WAIT);

            pod(client, ns.name(), "p", Map.of());
            label(client, ns.name(), "p", "stage", "two");
            client.pods()
                    .inNamespace(ns.name())
                    .withName("p")
                    .withGracePeriod(0)
                    .delete();

            // the delete shows first as a modification (deletionTimestamp set), then as the deletion
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(seen.describe())
                            .startsWith("synced INITIAL", "added p", "modified p")
                            .endsWith("deleted p")
                            .containsOnlyOnce("added p", "deleted p"));
            assertThat(informer.store().size()).isZero();
            assertThat(informer.counters().relists()).isZero();
        }
    }

    @Test
    void setBasedSelectorsKeepOnlyMatchingPods(KubernetesClient client, TestNamespace ns) throws Exception {
        pod(client, ns.name(), "mine", Map.of("owner", "me", "tier", "web"));
        pod(client, ns.name(), "done", Map.of("owner", "me", "done", "true"));
        pod(client, ns.name(), "db", Map.of("owner", "me", "tier", "db"));
        pod(client, ns.name(), "other", Map.of("owner", "you"));

        try (var informer = Informer.pods(api)
                .namespaces(ns.name())
                .labelSelector("owner=me,done!=true,tier notin (db,cache),tier")
                .build()
                .start()) {
            informer.awaitSynced(WAIT);
            assertThat(names(informer)).containsExactly("mine");

            // a pod leaving the selector arrives as a delete
            label(client, ns.name(), "mine", "done", "true");
            await().atMost(WAIT).until(() -> informer.store().size() == 0);
        }
    }

    @Test
    void severalNamespacesGetOneStreamEachAndOthersStayUnseen(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        String second = ground.createNamespace("second");
        String ignored = ground.createNamespace("ignored");
        pod(client, ns.name(), "one", Map.of());
        pod(client, second, "two", Map.of());
        pod(client, ignored, "three", Map.of());

        try (var informer =
                Informer.pods(api).namespaces(ns.name(), second).build().start()) {
            informer.awaitSynced(WAIT);
            assertThat(names(informer)).containsExactlyInAnyOrder("one", "two");
            await().atMost(WAIT).until(() -> api.counters().requests("watch") == 2);
            assertThat(api.counters().requests("list")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(InitialList.class)
    void everyInitialListStrategyEndsInTheSameStore(InitialList strategy, KubernetesClient client, TestNamespace ns)
            throws Exception {
        for (int i = 0; i < 7; i++) {
            pod(client, ns.name(), "p" + i, Map.of());
        }
        try (var informer = Informer.pods(api)
                .namespaces(ns.name())
                .initialList(strategy)
                .pageSize(3)
                .streamingDetectTimeout(Duration.ofSeconds(3))
                .build()
                .start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();
            assertThat(informer.store().size()).isEqualTo(7);

            pod(client, ns.name(), "late", Map.of());
            await().atMost(WAIT).until(() -> informer.store().size() == 8);
        }
    }

    @Test
    void aStreamingListFallsBackOnThisApiServerWhichCannotStream(KubernetesClient client, TestNamespace ns)
            throws Exception {
        pod(client, ns.name(), "a", Map.of());
        try (var informer = Informer.pods(api)
                .namespaces(ns.name())
                .initialList(InitialList.STREAMING)
                .streamingDetectTimeout(Duration.ofSeconds(3))
                .build()
                .start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();
            assertThat(informer.counters().streamingFallbacks()).isEqualTo(1);
            assertThat(names(informer)).containsExactly("a");
        }
    }

    @Test
    void watchTimeoutsResumeFromBookmarksWithoutRelisting(TestGround ground, KubernetesClient client, TestNamespace ns)
            throws Exception {
        // The apiserver sends a bookmark only when its pod cache has moved on: pods change elsewhere meanwhile.
        String elsewhere = ground.createNamespace("elsewhere");
        var seen = new Fixtures.Recorder<PodView>();
        try (var informer = Informer.pods(api)
                .namespaces(ns.name())
                .watchTimeout(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .listener(seen)
                .build()
                .start()) {
            informer.awaitSynced(WAIT);
            AtomicInteger noise = new AtomicInteger();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                pod(client, elsewhere, "noise-" + noise.incrementAndGet(), Map.of());
                return informer.counters().watchRestarts() >= 2
                        && informer.counters().bookmarks() >= 1;
            });
            pod(client, ns.name(), "after-restarts", Map.of());

            await().atMost(WAIT).until(() -> informer.store().size() == 1);
            assertThat(informer.counters().relists()).isZero();
            assertThat(api.counters().requests("list")).isEqualTo(1);
            assertThat(seen.describe()).containsExactly("synced INITIAL", "added after-restarts");
        }
    }

    @Test
    void aNamespaceWhosePodsCannotBeListedIsReportedInTheStatusInsteadOfBlockingTheCaller(
            TestGround ground, TestNamespace ns) throws Exception {
        TestUser stranger = ground.restrictedUser(ns.name(), "stranger", RbacRule.of("", "configmaps", "list"));
        try (KubeApi restricted = KubeApi.builder(stranger.config()).build();
                var informer = Informer.pods(restricted)
                        .namespaces(ns.name())
                        .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                        .build()
                        .start()) {
            await().atMost(WAIT).until(() -> informer.status().lastError() != null);

            Informer.Status status = informer.status();
            assertThat(status.synced()).isFalse();
            assertThat(status.silentSince()).isNull();
            assertThat(status.lastError().namespace()).isEqualTo(ns.name());
            assertThat(status.lastError().message())
                    .startsWith("403 Forbidden: ")
                    .contains("cannot list");
            assertThat(status.lastError().at()).isBeforeOrEqualTo(java.time.Instant.now());
        }
    }

    @Test
    void aSyncedInformerSaysSoAndHasNoError(TestNamespace ns) throws Exception {
        try (var informer = Informer.pods(api).namespaces(ns.name()).build().start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();

            assertThat(informer.status()).isEqualTo(new Informer.Status(true, null, null));
        }
    }

    private static Set<String> names(Informer<PodView> informer) {
        return informer.store().list().stream().map(PodView::name).collect(Collectors.toSet());
    }
}
