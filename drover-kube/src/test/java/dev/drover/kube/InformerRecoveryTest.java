package dev.drover.kube;

import static dev.drover.kube.Fixtures.label;
import static dev.drover.kube.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TcpProxy;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Recovery paths: 410 on open and mid-stream, expired continue tokens, dropped connections, 429s. */
@KubernetesTest
class InformerRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void a410OnWatchOpenAfterAnApiServerRestartRelistsTheSameScope() throws Exception {
        try (TestGround ground = TestGround.builder().build().start();
                KubernetesClient client = ground.adminClient();
                KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            String ns = ground.createNamespace("restart");
            pod(client, ns, "a", Map.of());
            pod(client, ns, "b", Map.of());
            var seen = new Fixtures.Recorder<PodView>();
            try (var informer = Informer.pods(api)
                    .namespaces(ns)
                    .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .listener(seen)
                    .build()
                    .start()) {
                informer.awaitSynced(WAIT);

                ground.stopApiServer();
                ground.bumpEtcdRevision(); // the new watch cache starts past what the informer holds
                ground.restartApiServerAfterStop();
                client.pods().inNamespace(ns).withName("b").withGracePeriod(0).delete();
                pod(client, ns, "c", Map.of());

                await().atMost(WAIT).until(() -> names(informer).equals(Set.of("a", "c")));
                assertThat(informer.counters().gone410()).isPositive();
                assertThat(informer.counters().lists(RelistCause.GONE)).isPositive();
                assertThat(seen.describe()).contains("synced GONE").containsOnlyOnce("added a");
            }
        }
    }

    @Test
    void a410MidStreamRelistsAndReportsWhatChangedAsDeltas() throws Exception {
        try (TestGround ground = TestGround.builder().watchCache(false).build().start();
                KubernetesClient client = ground.adminClient();
                TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken())) {
            String ns = ground.createNamespace("midstream");
            pod(client, ns, "a", Map.of());
            pod(client, ns, "b", Map.of());
            var seen = new Fixtures.Recorder<PodView>();
            try (var informer = Informer.pods(api)
                    .namespaces(ns)
                    .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .listener(seen)
                    .build()
                    .start()) {
                informer.awaitSynced(WAIT);
                await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);
                seen.clear();

                proxy.cut(true); // the informer misses everything below ...
                label(client, ns, "a", "changed", "yes");
                client.pods().inNamespace(ns).withName("b").withGracePeriod(0).delete();
                pod(client, ns, "c", Map.of());
                ground.compactEtcd(); // ... and cannot replay it: its resourceVersion is compacted
                proxy.heal();

                await().atMost(WAIT).until(() -> seen.describe().contains("synced GONE"));
                assertThat(seen.describe().subList(0, 3))
                        .containsExactlyInAnyOrder("modified a", "deleted b", "added c");
                assertThat(seen.describe()).endsWith("synced GONE").hasSize(4);
                assertThat(informer.store().get(ns + "/a").orElseThrow().labels())
                        .containsEntry("changed", "yes");
                assertThat(api.counters().requests()).doesNotContainKey("list 410");
            }
        }
    }

    @Test
    void aWatchTheApiServerAnswers500FromItsResourceVersionIsGivenUpForARelistOfTheSameScope() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (TestGround ground = TestGround.builder().watchCache(false).build().start();
                KubernetesClient client = ground.adminClient();
                TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken(), registry)) {
            String ns = ground.createNamespace("prevkv");
            pod(client, ns, "a", Map.of());
            var seen = new Fixtures.Recorder<PodView>();
            try (var informer = Informer.pods(api)
                    .namespaces(ns)
                    .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .listener(seen)
                    .build()
                    .start()) {
                informer.awaitSynced(WAIT);
                await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);

                // The watch must stand exactly one revision before the change it will miss; an
                // unrelated etcd write in between (the apiserver's lease) would make it a plain 410.
                boolean staged = false;
                for (int attempt = 1; attempt <= 3 && !staged; attempt++) {
                    String warm = "warm-" + attempt;
                    label(client, ns, "a", "step", warm); // the watch's resourceVersion becomes this change's
                    await().atMost(WAIT).until(() -> warm.equals(labelOf(informer, ns, "step")));
                    long watched = Long.parseLong(
                            informer.store().get(ns + "/a").orElseThrow().resourceVersion());
                    proxy.cut(true);
                    long changed = Long.parseLong(label(client, ns, "a", "step", "missed-" + attempt)
                            .getMetadata()
                            .getResourceVersion());
                    staged = changed == watched + 1;
                    if (staged) {
                        seen.clear();
                        // a's previous value is compacted away, the change itself stays: the reopened
                        // watch meets a modification without its previous value
                        ground.compactEtcd(changed);
                    }
                    proxy.heal();
                    if (!staged) {
                        String missed = "missed-" + attempt;
                        await().atMost(WAIT).until(() -> missed.equals(labelOf(informer, ns, "step")));
                    }
                }
                assertThat(staged)
                        .as("staged the compaction at exactly the missed change")
                        .isTrue();

                // Before the fix: the same watch from the same resourceVersion, once a second, for ever.
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> labelOf(informer, ns, "step").startsWith("missed-"));
                assertThat(informer.status().lastError().message())
                        .as("what kube-apiserver 1.20 answers instead of 410")
                        .startsWith("500 InternalError")
                        .contains("PrevKv=nil");
                assertThat(informer.counters().gone410()).isZero();
                assertThat(informer.counters().lists(RelistCause.SERVER_ERROR)).isEqualTo(1);
                await().atMost(WAIT).until(() -> seen.describe().contains("synced SERVER_ERROR"));
                assertThat(seen.describe()).containsExactly("modified a", "synced SERVER_ERROR");
                assertThat(api.counters().requests()).doesNotContainKey("list 410");
                assertThat(registry.get("drover.watch.lists")
                                .tags("resource", "pods", "cause", "server_error")
                                .counter()
                                .count())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void anExpiredContinueTokenMidListStartsTheListOver() throws Exception {
        try (TestGround ground = TestGround.builder().watchCache(false).build().start();
                KubernetesClient client = ground.adminClient();
                KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            String ns = ground.createNamespace("continue");
            for (int i = 0; i < 6; i++) {
                pod(client, ns, "p" + i, Map.of());
            }
            AtomicBoolean compacted = new AtomicBoolean();
            try (var informer = Informer.pods(api)
                    .namespaces(ns)
                    .initialList(InitialList.PAGINATED)
                    .pageSize(2)
                    .afterPage(page -> {
                        if (page == 1 && compacted.compareAndSet(false, true)) {
                            pod(client, ns, "p6", Map.of());
                            ground.compactEtcd(); // the first page's snapshot is gone
                        }
                    })
                    .build()
                    .start()) {
                assertThat(informer.awaitSynced(WAIT)).isTrue();

                assertThat(informer.store().size()).isEqualTo(7);
                assertThat(informer.counters().lists(RelistCause.EXPIRED_CONTINUE))
                        .isEqualTo(1);
                assertThat(api.counters().requests()).containsKey("list 410");
            }
        }
    }

    @Test
    void aDroppedConnectionResumesFromTheLastResourceVersionWithoutRelisting(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        try (TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken());
                var informer = Informer.pods(api)
                        .namespaces(ns.name())
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .build()
                        .start()) {
            informer.awaitSynced(WAIT);
            await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);

            proxy.cut(false);
            pod(client, ns.name(), "after-drop", Map.of());

            await().atMost(WAIT).until(() -> informer.store().size() == 1);
            assertThat(informer.counters().relists()).isZero();
            assertThat(api.counters().requests("watch")).isGreaterThanOrEqualTo(2);
            assertThat(api.counters().requests("list")).isEqualTo(1);
        }
    }

    @Test
    void watchAfterFirstPageDeliversEveryObjectInItsTrueStateAndNeverAStaleDelta(
            KubernetesClient client, TestNamespace ns) throws Exception {
        String n = ns.name();
        for (int i = 0; i < 10; i++) {
            pod(client, n, "p" + i, Map.of());
        }
        AtomicLong watchesWhenPage1Arrived = new AtomicLong(-1);
        ConcurrentLinkedQueue<Delta<PodView>> deltas = new ConcurrentLinkedQueue<>();
        try (KubeApi api = KubeApi.builder(dev.drover.testkit.TestGroundExtension.sharedGround()
                                .adminConfig())
                        .build();
                var informer = Informer.pods(api)
                        .namespaces(n)
                        .initialList(InitialList.WATCH_AFTER_FIRST_PAGE)
                        .pageSize(3)
                        .afterPage(page -> {
                            if (page == 1) {
                                watchesWhenPage1Arrived.set(api.counters().requests("watch"));
                                label(client, n, "p1", "v", "2"); // already listed
                                label(client, n, "p8", "v", "2"); // on a later page, which still shows the old state
                                client.pods()
                                        .inNamespace(n)
                                        .withName("p9")
                                        .withGracePeriod(0)
                                        .delete();
                            }
                        })
                        .listener(deltas::add)
                        .build()
                        .start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();
            await().atMost(WAIT).until(() -> !informer.store().get(n + "/p9").isPresent());
            await().atMost(WAIT)
                    .until(() -> "2"
                            .equals(informer.store()
                                    .get(n + "/p8")
                                    .orElseThrow()
                                    .labels()
                                    .get("v")));

            assertThat(watchesWhenPage1Arrived.get())
                    .as("watch opened right after the first page")
                    .isEqualTo(1);
            assertThat(informer.store().get(n + "/p1").orElseThrow().labels()).containsEntry("v", "2");
            Set<String> server = client.pods().inNamespace(n).list().getItems().stream()
                    .map(p -> p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion())
                    .collect(Collectors.toSet());
            Set<String> ours = informer.store().list().stream()
                    .map(p -> p.name() + "@" + p.resourceVersion())
                    .collect(Collectors.toSet());
            assertThat(ours).isEqualTo(server);
            assertResourceVersionsOnlyGrowPerObject(new ArrayList<>(deltas));
        }
    }

    @Test
    void aBugInTheListPathIsRetriedAfterABackoffAndTheInformerKeepsRunning(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        pod(client, ns.name(), "a", Map.of());
        AtomicInteger failuresLeft = new AtomicInteger(1);
        Projection<PodView> buggy = parser -> {
            PodView p = PodView.PROJECTION.decode(parser);
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("a bug in the projection");
            }
            return p;
        };
        try (LogCapture logs = new LogCapture();
                KubeApi api = KubeApi.builder(ground.adminConfig()).build();
                var informer = Informer.builder(api, ResourceType.PODS, buggy)
                        .namespaces(ns.name())
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .build()
                        .start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();
            pod(client, ns.name(), "b", Map.of());

            await().atMost(WAIT).until(() -> informer.store().size() == 2);
            assertThat(informer.counters().failures()).isEqualTo(1);
            assertThat(informer.status().lastError()).isNotNull().satisfies(f -> {
                assertThat(f.message()).contains("a bug in the projection");
                assertThat(f.namespace()).isEqualTo(ns.name());
            });
            assertThat(logs.atLeast(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("a bug in the projection"));
        }
    }

    /**
     * kube-apiserver's max-inflight filter always says Retry-After: 1, so this shows only that
     * throttled reads get through in the end; RetryAfterTest checks that a longer Retry-After is
     * sat out.
     */
    @Test
    void underTinyInflightLimitsEveryThrottledListSucceedsInTheEnd() throws Exception {
        try (TestGround ground =
                TestGround.builder().maxRequestsInflight(1, 1).build().start()) {
            String ns = ground.createNamespace("throttle");
            TestUser lister = ground.restrictedUser(ns, "lister", RbacRule.of("", "pods", "list", "watch"));
            try (KubeApi api = KubeApi.builder(lister.config()).build()) {
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int i = 0; i < 40; i++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            api.get("list", ResourceType.PODS.path(ns), Map.of(), in -> in.readAllBytes().length);
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }

                assertThat(failures).isEmpty();
                assertThat(api.counters().requests()).containsKey("list 429").containsKey("list 200");
                assertThat(api.counters().requests().get("list 200")).isEqualTo(40);
                assertThat(api.counters().throttledByServer()).isPositive();
            }
        }
    }

    private static void assertResourceVersionsOnlyGrowPerObject(List<Delta<PodView>> deltas) {
        Map<String, Long> last = new HashMap<>();
        for (Delta<PodView> d : deltas) {
            PodView p = switch (d) {
                case Delta.Added<PodView> a -> a.object();
                case Delta.Modified<PodView> m -> m.object();
                case Delta.Deleted<PodView> x -> x.object();
                case Delta.Synced<PodView> s -> null;
            };
            if (p == null) {
                continue;
            }
            long rv = Long.parseLong(p.resourceVersion());
            Long prior = last.put(p.name(), rv);
            assertThat(prior == null || prior < rv)
                    .as("delta for %s at rv %s after one at rv %s", p.name(), rv, prior)
                    .isTrue();
        }
    }

    private static String labelOf(Informer<PodView> informer, String ns, String key) {
        return informer.store()
                .get(ns + "/a")
                .map(p -> p.labels().getOrDefault(key, ""))
                .orElse("");
    }

    private static Set<String> names(Informer<PodView> informer) {
        return informer.store().list().stream().map(PodView::name).collect(Collectors.toSet());
    }
}
