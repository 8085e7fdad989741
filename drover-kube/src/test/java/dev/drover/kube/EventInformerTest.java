package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TcpProxy;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@KubernetesTest
class EventInformerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Event event(KubernetesClient client, String ns, String name, int count) {
        String now = Instant.now().toString();
        return client.v1()
                .events()
                .inNamespace(ns)
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind("Pod")
                        .withName("pod-1")
                        .withNamespace(ns)
                        .withUid("uid-1")
                        .withFieldPath("spec.containers{main}")
                        .endInvolvedObject()
                        .withReason("BackOff")
                        .withMessage("Back-off pulling image")
                        .withType("Warning")
                        .withCount(count)
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withNewSource()
                        .withComponent("kubelet")
                        .endSource()
                        .build())
                .create();
    }

    @Test
    void aRepeatedEventIsAnUpdateOfTheSameEventNotANewOne(TestGround ground, KubernetesClient client, TestNamespace ns)
            throws Exception {
        event(client, ns.name(), "pod-1.backoff", 1);
        var seen = new Fixtures.Recorder<EventView>();
        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build();
                var informer = Informer.events(api)
                        .namespaces(ns.name())
                        .index("pod", EventView::involvedUid)
                        .listener(seen)
                        .build()
                        .start()) {
            informer.awaitSynced(WAIT);

            client.v1()
                    .events()
                    .inNamespace(ns.name())
                    .withName("pod-1.backoff")
                    .edit(e -> new EventBuilder(e).withCount(2).build());

            await().atMost(WAIT).until(() -> seen.describe().contains("modified pod-1.backoff"));
            assertThat(seen.describe()).containsOnlyOnce("added pod-1.backoff");
            List<EventView> forPod = informer.store().byIndex("pod", "uid-1");
            assertThat(forPod).singleElement().satisfies(e -> {
                assertThat(e.count()).isEqualTo(2);
                assertThat(e.reason()).isEqualTo("BackOff");
                assertThat(e.fieldPath()).isEqualTo("spec.containers{main}");
            });
        }
    }

    @Test
    void whenWatchingEventsIsForbiddenTheInformerPollsWithCheapLists(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        TestUser lister = ground.restrictedUser(ns.name(), "event-lister", RbacRule.of("", "events", "list"));
        try (KubeApi api = KubeApi.builder(lister.config()).build();
                var informer = Informer.events(api)
                        .namespaces(ns.name())
                        .pollOnForbidden(Duration.ofMillis(500))
                        .build()
                        .start()) {
            informer.awaitSynced(WAIT);

            event(client, ns.name(), "later", 1);

            await().atMost(WAIT).until(() -> informer.store().size() == 1);
            assertThat(api.counters().requests()).containsKey("watch 403");
            assertThat(informer.counters().lists(RelistCause.POLL)).isPositive();
            List<String> lists = auditedEventLists(ground, ns.name(), lister.userName());
            assertThat(lists.getFirst()).contains("resourceVersion=0");
            assertThat(lists.subList(1, lists.size()))
                    .isNotEmpty()
                    .allSatisfy(uri -> assertThat(uri).contains("resourceVersionMatch=NotOlderThan"));
        }
    }

    @Test
    void aRelistOfEventsAfter410ReadsNotOlderThanTheLastKnownVersion() throws Exception {
        // Events skip the watch cache by default, so a 410 needs etcd compaction while the watch is cut.
        try (TestGround ground = TestGround.builder().auditLog(true).build().start();
                KubernetesClient client = ground.adminClient();
                TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken())) {
            String ns = ground.createNamespace("events-relist");
            event(client, ns, "first", 1);
            try (var informer = Informer.events(api)
                    .namespaces(ns)
                    .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .build()
                    .start()) {
                informer.awaitSynced(WAIT);
                await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);
                proxy.cut(true);
                event(client, ns, "second", 1);
                event(client, ns, "third", 1);
                ground.compactEtcd();
                proxy.heal();

                await().atMost(WAIT).until(() -> informer.counters().lists(RelistCause.GONE) >= 1);
                await().atMost(WAIT).until(() -> informer.store().size() == 3);
                List<String> lists = auditedEventLists(ground, ns, "admin");
                assertThat(lists).hasSizeGreaterThanOrEqualTo(2);
                assertThat(lists.getFirst()).contains("resourceVersion=0");
                assertThat(lists.subList(1, lists.size()))
                        .allSatisfy(uri -> assertThat(uri)
                                .contains("resourceVersionMatch=NotOlderThan")
                                .doesNotContain("resourceVersion=0&")
                                .doesNotContain("resourceVersion=&"));
            }
        }
    }

    /** The request URIs of event lists by {@code user} in {@code ns}, from the audit log, in order. */
    private static List<String> auditedEventLists(TestGround ground, String ns, String user) throws Exception {
        return Files.readAllLines(ground.auditLog()).stream()
                .filter(l -> l.contains("\"verb\":\"list\""))
                .filter(l -> l.contains("\"username\":\"" + user + "\""))
                .filter(l -> l.contains("/namespaces/" + ns + "/events"))
                .filter(l -> l.contains("\"stage\":\"ResponseComplete\""))
                .map(l -> l.replaceAll(".*\"requestURI\":\"([^\"]*)\".*", "$1"))
                .toList();
    }
}
