package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.core.store.TaskStore;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of {@code drover server} on a real apiserver: submit, read, cancel, logs, Events, errors, auth. */
@KubernetesTest
class ServerTest {
    static final String READ = ServedDrover.READ;
    static final String SUBMIT = ServedDrover.SUBMIT;
    static final String ADMIN = ServedDrover.ADMIN;

    private ServedDrover served;
    private TaskStore store;
    private DroverServer server;
    private ApiClient api;
    private String ns;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) {
        ns = namespace.name();
        served = ServedDrover.start(ground, client, ns, dir, "server-" + ns, b -> b, b -> b.maxBodyBytes(64 * 1024));
        store = served.store;
        server = served.server;
        api = new ApiClient(server.url());
    }

    @AfterEach
    void tearDown() {
        served.close();
    }

    private String task(String behavior, String more) {
        return """
                {"name": "hello", "namespace": "%s", "image": "busybox:1.36", "command": ["echo", "hi"],
                 "labels": {"team": "etl"}, "annotations": {"%s": "%s"}%s}
                """.formatted(ns, NodeSimulator.BEHAVIOR_ANNOTATION, behavior, more);
    }

    private JsonNode awaitState(String id, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            last[0] = api.get("/api/v1/tasks/" + id, READ).json();
            return last[0].path("state").asText().equals(state);
        });
        return last[0];
    }

    @Test
    void aSubmittedTaskRunsAndItsStateTriesLogAndEventsCanBeRead() {
        ApiClient.Answer created = api.post("/api/v1/tasks", SUBMIT, task("run=300ms; log=alpha|beta", ""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asText();

        JsonNode done = awaitState(id, "SUCCEEDED");
        assertThat(done.path("spec").path("image").asText()).isEqualTo("busybox:1.36");
        assertThat(done.path("spec").path("labels").path("team").asText()).isEqualTo("etl");
        assertThat(done.path("tries")).hasSize(1);
        assertThat(done.path("tries").get(0).path("pod").asText()).isEqualTo("hello-" + id + "-1");
        assertThat(done.path("transitions").findValuesAsText("to")).contains("QUEUED", "RUNNING", "SUCCEEDED");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ApiClient.Answer log = api.get("/api/v1/tasks/" + id + "/logs", READ);
            assertThat(log.status()).as(log.body()).isEqualTo(200);
            assertThat(log.body()).isEqualTo("alpha\nbeta\n");
        });
        assertThat(api.get("/api/v1/tasks/" + id + "/logs?tail=1", READ).body()).isEqualTo("beta\n");

        ApiClient.Answer events = api.get("/api/v1/tasks/" + id + "/events", READ);
        assertThat(events.status()).as(events.body()).isEqualTo(200);
        assertThat(events.json().path("items").findValuesAsText("reason")).contains("Scheduled", "Started");

        JsonNode listed = api.get("/api/v1/tasks?state=succeeded", READ).json();
        assertThat(listed.path("items").findValuesAsText("id")).contains(id);
    }

    @Test
    void aBatchIsAllOrNothingAndEachBadFieldIsNamed() {
        String good = task("run=100ms", "");
        String bad = task("run=100ms", ", \"startupTimeout\": \"5x\"");
        int before = api.get("/api/v1/tasks", READ).json().path("items").size();

        ApiClient.Answer refused = api.post("/api/v1/tasks", SUBMIT, "{\"tasks\": [" + good + "," + bad + "]}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("field").asText()).isEqualTo("tasks[1].startupTimeout");
        assertThat(refused.json().path("detail").asText()).contains("'5x' is not a duration");
        assertThat(api.get("/api/v1/tasks", READ).json().path("items")).hasSize(before);

        ApiClient.Answer stored = api.post("/api/v1/tasks", SUBMIT, "{\"tasks\": [" + good + "," + good + "]}");
        assertThat(stored.status()).as(stored.body()).isEqualTo(201);
        assertThat(stored.json().path("ids")).hasSize(2);
    }

    @Test
    void badRequestsAreProblemsNamingTheFieldAndNeverHarmATaskInFlight() {
        String id = api.post("/api/v1/tasks", SUBMIT, task("run=2s", ""))
                .json()
                .path("id")
                .asText();

        ApiClient.Answer notJson = api.post("/api/v1/tasks", SUBMIT, "{\"image\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("detail").asText()).contains("not valid JSON");
        ApiClient.Answer unknown = api.post("/api/v1/tasks", SUBMIT, task("run=1s", ", \"imagePullPolicy\": \"x\""));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().path("field").asText()).isEqualTo("imagePullPolicy");
        assertThat(unknown.json().path("detail").asText()).contains("unknown field");
        ApiClient.Answer badNamespace =
                api.post("/api/v1/tasks", SUBMIT, "{\"image\": \"busybox:1.36\", \"namespace\": \"Not_A_Name\"}");
        assertThat(badNamespace.status()).isEqualTo(422);
        assertThat(badNamespace.json().path("field").asText()).isEqualTo("namespace");
        ApiClient.Answer huge =
                api.post("/api/v1/tasks", SUBMIT, task("run=1s", ", \"args\": [\"" + "x".repeat(70_000) + "\"]"));
        assertThat(huge.status()).isEqualTo(413);
        ApiClient.Answer array = api.post("/api/v1/tasks", SUBMIT, "[]");
        assertThat(array.status()).isEqualTo(400);
        ApiClient.Answer noBody = api.post("/api/v1/tasks", SUBMIT, null);
        assertThat(noBody.status()).isEqualTo(400);
        ApiClient.Answer badLimit = api.get("/api/v1/tasks?limit=0", READ);
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.json().path("field").asText()).isEqualTo("limit");
        ApiClient.Answer badState = api.get("/api/v1/tasks?state=sleeping", READ);
        assertThat(badState.status()).isEqualTo(400);
        assertThat(badState.json().path("field").asText()).isEqualTo("state");
        assertThat(api.get("/api/v1/tasks/nope", READ).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/nothing-here", READ).status()).isEqualTo(404);
        ApiClient.Answer wrongMethod = api.send("DELETE", "/api/v1/tasks", ADMIN, null);
        assertThat(wrongMethod.status()).isEqualTo(405);

        awaitState(id, "SUCCEEDED");
    }

    @Test
    void aCancelledTaskEndsCancelledAndASecondCancelIsAConflict() {
        String id = api.post("/api/v1/tasks", SUBMIT, task("run=60s", ""))
                .json()
                .path("id")
                .asText();
        awaitState(id, "RUNNING");

        ApiClient.Answer cancel = api.post("/api/v1/tasks/" + id + "/cancel", SUBMIT, null);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
        awaitState(id, "CANCELLED");
        assertThat(api.post("/api/v1/tasks/" + id + "/cancel", SUBMIT, null).status())
                .isEqualTo(409);
        assertThat(api.post("/api/v1/tasks/nope/cancel", SUBMIT, null).status()).isEqualTo(404);
    }

    /** Every route: no token is 401, an unknown token is 401, a token whose role is too low is 403. */
    @Test
    void everyRouteNeedsATokenWithItsRole() {
        String id = api.post("/api/v1/tasks", SUBMIT, task("run=100ms", ""))
                .json()
                .path("id")
                .asText();
        List<String> checked = new ArrayList<>();
        for (Router.Route r : server.router().routes()) {
            // A folder of files (the dashboard's): one file in it.
            String path = r.template().replace("{id}", id).replace("/dashboard/**", "/dashboard/app.js");
            String body = r.method().equals("POST") ? task("run=100ms", "") : null;
            if (r.role() == null) {
                // public; /readyz may say 503 while the new task's namespace is first listed
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(api.status(r.method(), path, null, body))
                                .as("public " + r.template())
                                .isLessThan(400));
                continue;
            }
            checked.add(r.method() + " " + r.template());
            ApiClient.Answer none = api.send(r.method(), path, null, body);
            assertThat(none.status()).as("no token: " + r.template()).isEqualTo(401);
            assertThat(none.contentType()).startsWith("application/problem+json");
            assertThat(api.send(r.method(), path, "not-a-token", body).status())
                    .as("unknown token: " + r.template())
                    .isEqualTo(401);
            if (r.role() != Role.READ) {
                ApiClient.Answer low = api.send(r.method(), path, READ, body);
                assertThat(low.status()).as("read token: " + r.template()).isEqualTo(403);
                assertThat(low.json().path("detail").asText()).contains("rita has role read");
            }
            if (r.role() == Role.ADMIN) {
                assertThat(api.send(r.method(), path, SUBMIT, body).status()).isEqualTo(403);
            }
            assertThat(api.status(r.method(), path, tokenOf(r.role()), body))
                    .as("right role: " + r.template())
                    .isNotIn(401, 403);
        }
        assertThat(checked).contains("POST /api/v1/tasks", "GET /api/v1/replicas", "GET /metrics");
    }

    private static String tokenOf(Role role) {
        return switch (role) {
            case READ -> READ;
            case SUBMIT -> SUBMIT;
            case ADMIN -> ADMIN;
            case NONE -> throw new IllegalArgumentException("no route is open to role none");
        };
    }

    @Test
    void replicasAndProbes() {
        JsonNode replicas = api.get("/api/v1/replicas", READ).json();
        assertThat(replicas.path("self").asText()).isEqualTo("server-" + ns);
        assertThat(replicas.path("items").findValuesAsText("id")).contains("server-" + ns);
        assertThat(api.get("/livez", null).status()).isEqualTo(200);
        ApiClient.Answer ready = api.get("/readyz", null);
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json().path("store").asText()).isEqualTo("ok");
    }

    @Test
    void aRetriedSubmitWithTheSameIdempotencyKeyReturnsTheFirstTask() {
        String body = task("run=100ms", "");
        ApiClient.Answer first = api.send("POST", "/api/v1/tasks", SUBMIT, body, "Idempotency-Key", "k-1");
        ApiClient.Answer again = api.send("POST", "/api/v1/tasks", SUBMIT, body, "Idempotency-Key", "k-1");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().path("id").asText())
                .isEqualTo(first.json().path("id").asText());

        ApiClient.Answer otherBody =
                api.send("POST", "/api/v1/tasks", SUBMIT, task("run=200ms", ""), "Idempotency-Key", "k-1");
        assertThat(otherBody.status()).isEqualTo(409);
        assertThat(otherBody.json().path("detail").asText()).contains("was used for a different request");
        ApiClient.Answer otherCaller = api.send("POST", "/api/v1/tasks", ADMIN, body, "Idempotency-Key", "k-1");
        assertThat(otherCaller.json().path("id").asText())
                .as("keys are per caller")
                .isNotEqualTo(first.json().path("id").asText());
        assertThat(api.get("/api/v1/tasks?name=hello", READ).json().path("items"))
                .hasSize(2);
    }

    @Test
    void theListFiltersByStateLabelsAndNameAndPagesWithACursor() {
        List<String> etl = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            etl.add(api.post("/api/v1/tasks", SUBMIT, task("run=100ms", ""))
                    .json()
                    .path("id")
                    .asText());
        }
        String ml = api.post("/api/v1/tasks", SUBMIT, """
                        {"name": "train", "namespace": "%s", "image": "busybox:1.36", "labels": {"team": "ml"}}
                        """.formatted(ns))
                .json()
                .path("id")
                .asText();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = api.get(
                            "/api/v1/tasks?labelSelector=team%3Detl&limit=2"
                                    + (cursor == null ? "" : "&cursor=" + cursor),
                            READ)
                    .json();
            page.path("items").forEach(t -> seen.add(t.path("id").asText()));
            cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
            pages++;
        } while (cursor != null);
        assertThat(seen).as("newest first, each once").containsExactlyElementsOf(etl.reversed());
        assertThat(pages).isEqualTo(3);

        assertThat(api.get("/api/v1/tasks?name=train", READ)
                        .json()
                        .path("items")
                        .findValuesAsText("id"))
                .containsExactly(ml);
        assertThat(api.get("/api/v1/tasks?labelSelector=team+notin+(etl)", READ)
                        .json()
                        .path("items")
                        .findValuesAsText("id"))
                .containsExactly(ml);
        assertThat(api.get("/api/v1/tasks?since=1h", READ).json().path("items")).hasSize(6);
        assertThat(api.get("/api/v1/tasks?since=2999-01-01T00:00:00Z", READ)
                        .json()
                        .path("items"))
                .isEmpty();
        JsonNode counts = api.get("/api/v1/tasks?limit=1", READ).json().path("counts");
        assertThat(counts.size()).isPositive();

        ApiClient.Answer badCursor = api.get("/api/v1/tasks?cursor=nonsense", READ);
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.json().path("field").asText()).isEqualTo("cursor");
        ApiClient.Answer badSelector = api.get("/api/v1/tasks?labelSelector=team+in+etl", READ);
        assertThat(badSelector.status()).isEqualTo(400);
        assertThat(badSelector.json().path("field").asText()).isEqualTo("labelSelector");
        assertThat(api.get("/api/v1/tasks?since=yesterday", READ)
                        .json()
                        .path("field")
                        .asText())
                .isEqualTo("since");
    }

    @Test
    void theWatchStreamsStateChangesLiveAndResumesAfterTheLastEventSeen() throws Exception {
        List<SseClient.Event> got = new ArrayList<>();
        String id;
        try (SseClient watch = new SseClient(server.url() + "/api/v1/watch", READ, null)) {
            assertThat(watch.status).isEqualTo(200);
            id = api.post("/api/v1/tasks", SUBMIT, task("run=300ms", ""))
                    .json()
                    .path("id")
                    .asText();
            while (got.isEmpty() || !got.getLast().data().path("to").asText().equals("SUCCEEDED")) {
                SseClient.Event e = watch.next(Duration.ofSeconds(60));
                assertThat(e).as("a change within 60 s; so far " + got).isNotNull();
                got.add(e);
            }
        }
        assertThat(got)
                .allSatisfy(e -> assertThat(e.data().path("task").asText()).isEqualTo(id));
        assertThat(got.stream().map(e -> e.data().path("to").asText()))
                .startsWith("QUEUED")
                .contains("RUNNING")
                .endsWith("SUCCEEDED");
        assertThat(got.stream().map(SseClient.Event::id)).isSorted().doesNotHaveDuplicates();

        // A client that saw the first two resumes after the second: the rest, none again.
        try (SseClient resumed = new SseClient(
                server.url() + "/api/v1/watch", READ, String.valueOf(got.get(1).id()))) {
            List<Long> rest = new ArrayList<>();
            for (int i = 2; i < got.size(); i++) {
                SseClient.Event e = resumed.next(Duration.ofSeconds(30));
                assertThat(e).isNotNull();
                rest.add(e.id());
            }
            assertThat(rest)
                    .containsExactlyElementsOf(got.subList(2, got.size()).stream()
                            .map(SseClient.Event::id)
                            .toList());
        }
        assertThat(api.send("GET", "/api/v1/watch", READ, null, "Accept", "application/json")
                        .status())
                .isEqualTo(406);
        assertThat(api.send("GET", "/api/v1/watch", READ, null, "Last-Event-ID", "x")
                        .status())
                .isEqualTo(400);
    }

    @Test
    void theOpenApiDocumentDescribesEveryRouteAndNoOther() {
        ApiClient.Answer doc = api.get("/api/v1/openapi.json", READ);
        assertThat(doc.status()).isEqualTo(200);
        JsonNode paths = doc.json().path("paths");
        List<String> documented = new ArrayList<>();
        paths.fields()
                .forEachRemaining(p -> p.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
        List<String> served = server.router().routes().stream()
                .filter(r -> !r.template().endsWith("/**"))
                .map(r -> r.method() + " " + r.template())
                .toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
        for (Router.Route r : server.router().routes()) {
            if (r.role() != null) {
                JsonNode op = paths.path(r.template()).path(r.method().toLowerCase(java.util.Locale.ROOT));
                assertThat(op.path("x-role").asText())
                        .as(r.template())
                        .isEqualTo(r.role().toString());
            }
        }
    }
}
