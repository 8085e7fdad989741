package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.core.Drover;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser (Debian's headless Chromium) on a real server, apiserver and
 * simulated nodes: what a person sees after entering a token.
 */
@KubernetesTest
class DashboardTest {
    static final String READ = ServedDrover.READ;
    static final String SUBMIT = ServedDrover.SUBMIT;
    static final Path SCREENSHOT = Path.of("target", "dashboard.png");
    static final Path TASK_SCREENSHOT = Path.of("target", "dashboard-task.png");

    private static Browser browser;
    private ServedDrover served;
    private TaskStore store;
    private Drover drover;
    private DroverServer server;
    private ApiClient api;
    private String ns;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) {
        ns = namespace.name();
        served = ServedDrover.start(ground, client, ns, dir, "dash-" + ns);
        store = served.store;
        drover = served.drover;
        server = served.server;
        api = new ApiClient(server.url());
    }

    @AfterEach
    void tearDown() {
        served.close();
    }

    private String submit(String name, String behavior, String labels) {
        String body = """
                {"name": "%s", "namespace": "%s", "image": "busybox:1.36", "command": ["work"],
                 "labels": {%s}, "annotations": {"%s": "%s"}}
                """.formatted(name, ns, labels, NodeSimulator.BEHAVIOR_ANNOTATION, behavior);
        ApiClient.Answer a = api.post("/api/v1/tasks", SUBMIT, body);
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return a.json().path("id").asText();
    }

    private void awaitEnded(String... ids) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            for (String id : ids) {
                String s = api.get("/api/v1/tasks/" + id, READ)
                        .json()
                        .path("state")
                        .asText();
                if (!Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(s)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Opens the dashboard and enters the token, as a person does the first time. */
    private void signIn(String path) {
        browser.open(server.url() + "/" + path);
        browser.find("#token").sendKeys(READ);
        browser.find("form.login button[type=submit]").click();
        browser.await(d -> browser.all("form.login").isEmpty() ? true : null);
    }

    private String row(String id) {
        return browser.text("tr[data-id='" + id + "']");
    }

    @Test
    void aPersonEntersTheTokenSeesATaskAppearAndChangeStateLiveThenReadsItsLogAndTransitions() {
        browser.open(server.url() + "/");
        browser.awaitText("main", "Enter a bearer token");
        browser.find("#token").sendKeys("not-a-known-token-at-all");
        browser.find("form.login button[type=submit]").click();
        browser.awaitText("main .error", "the bearer token is not known");

        browser.find("#token").sendKeys(READ);
        browser.find("form.login button[type=submit]").click();
        browser.awaitText("main h1", "Tasks");
        browser.awaitText("#live", "live"); // the watch is open
        browser.script("window.sameDocument = true"); // gone if the page were loaded again

        String id = submit("hello", "run=4s; log=alpha|beta|gamma", "\"team\": \"etl\"");
        browser.await(d -> row(id).contains("hello") ? true : null);
        browser.await(d -> row(id).contains("RUNNING") ? true : null);
        browser.await(d -> row(id).contains("SUCCEEDED") ? true : null);
        assertThat(browser.script("return window.sameDocument")).isEqualTo(true);

        browser.find("tr[data-id='" + id + "'] a").click();
        browser.awaitText(".task-head h1", "hello", "SUCCEEDED");
        browser.awaitText("pre.log", "alpha\nbeta\ngamma");
        String timeline = browser.awaitText(".timeline", "SUCCEEDED");
        assertThat(timeline).contains("QUEUED", "RUNNING", "SUCCEEDED", "try 1");
        browser.awaitText("table.events", "Started");
        assertThat(browser.text("pre.spec")).contains("\"image\": \"busybox:1.36\"", "\"team\": \"etl\"");
        assertThat(browser.text(".failure")).isEmpty();
        assertThat(browser.text("main")).doesNotContain("null", "undefined", "NaN");
    }

    @Test
    void theLogOfARunningTaskIsTailedLive() {
        String id = submit("tail", "run=8s; log=first line|second line|third line|last line", "");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> api.get("/api/v1/tasks/" + id, READ)
                        .json()
                        .path("state")
                        .asText()
                        .equals("RUNNING"));
        signIn("#/tasks/" + id);

        browser.awaitText("pre.log", "first line");
        assertThat(browser.text(".task-head h1")).contains("RUNNING");
        assertThat(browser.text("pre.log")).doesNotContain("last line");
        assertThat(browser.text(".log-status")).contains("following live");

        browser.awaitText("pre.log", "first line\nsecond line\nthird line\nlast line");
        browser.awaitText(".task-head h1", "SUCCEEDED");
        browser.awaitText(".log-status", "end of log");
    }

    @Test
    void aFailingTaskShowsItsFailureDetails() {
        String id = submit("crunch", "run=300ms; exit=3; log=reading input|error: input file missing", "");
        awaitEnded(id);
        signIn("#/tasks/" + id);

        browser.awaitText(".task-head h1", "crunch", "FAILED");
        String failure = browser.awaitText(".failure", "Failure");
        assertThat(failure).contains("Exit code\n3", "Container\nmain", "error: input file missing");
        assertThat(browser.text(".timeline")).contains("FAILED");
        browser.awaitText("pre.log", "error: input file missing");
        assertThat(browser.text("main")).doesNotContain("null", "undefined", "NaN");
        browser.screenshot(TASK_SCREENSHOT);

        browser.find(".crumbs a").click();
        String listed = browser.await(d -> row(id).contains("FAILED") ? row(id) : null);
        assertThat(listed).contains("container main: Error (exit code 3)");
    }

    @Test
    void theCountsByStateMatchTheStoreAndFollowItLive() {
        String ok1 = submit("etl-extract", "run=200ms", "");
        String ok2 = submit("etl-load", "run=300ms", "");
        String bad = submit("etl-report", "run=200ms; exit=2; log=report failed", "");
        awaitEnded(ok1, ok2, bad);
        signIn("");

        browser.awaitText(".count[data-state='SUCCEEDED']", "SUCCEEDED 2");
        assertThat(browser.text(".count[data-state='FAILED']")).contains("FAILED 1");
        assertThat(browser.text(".count.all")).contains("All 3");
        assertThat(browser.text(".count[data-state='RUNNING']")).contains("RUNNING 0");

        String slow = submit("etl-stream", "run=60s; log=streaming", "");
        browser.awaitText(".count.all", "All 4");
        browser.awaitText(".count[data-state='RUNNING']", "RUNNING 1");
        browser.await(d -> row(slow).contains("RUNNING") ? true : null);
        JsonNode counts = api.get("/api/v1/tasks?limit=1", READ).json().path("counts");
        assertThat(browser.text(".count[data-state='SUCCEEDED']"))
                .contains("SUCCEEDED " + counts.path("SUCCEEDED").asInt());
        assertThat(browser.text("main")).doesNotContain("null", "undefined", "NaN");
        browser.screenshot(SCREENSHOT);
    }

    @Test
    void filtersNarrowTheList() {
        String etl = submit("extract", "run=100ms", "\"team\": \"etl\"");
        String web = submit("render", "run=100ms; exit=1", "\"team\": \"web\"");
        String other = submit("extract", "run=100ms", "\"team\": \"web\"");
        awaitEnded(etl, web, other);
        signIn("");
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3 ? true : null);

        browser.find("#f-name").sendKeys("extract");
        browser.find("form.filters button[type=submit]").click();
        assertThat(awaitRows(2)).containsExactlyInAnyOrder(etl, other);

        browser.find("#f-labels").sendKeys("team=web");
        browser.find("form.filters button[type=submit]").click();
        assertThat(awaitRows(1)).containsExactly(other);

        browser.find("form.filters button.quiet").click(); // Clear
        awaitRows(3);
        browser.find(".count[data-state='FAILED']").click();
        assertThat(awaitRows(1)).containsExactly(web);
        assertThat(browser.find(".count[data-state='FAILED']").getAttribute("aria-pressed"))
                .isEqualTo("true");

        browser.find("form.filters button.quiet").click();
        browser.find("#f-labels").sendKeys("team in");
        browser.find("form.filters button[type=submit]").click();
        browser.awaitText("main .error", "labelSelector");
    }

    private List<String> awaitRows(int n) {
        return browser.await(d -> {
            List<String> ids = browser.all("tbody tr[data-id]").stream()
                    .map(e -> e.getAttribute("data-id"))
                    .toList();
            return ids.size() == n ? ids : null;
        });
    }

    @Test
    void tenThousandTasksArePagedByTheServer() {
        // Queued for a cluster no worker here serves: they stay in the store, and no pod is made.
        SequencedMap<String, TaskSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            specs.put(
                    TaskIds.next(),
                    TaskSpec.builder("bulk-" + i)
                            .namespace(ns)
                            .image("busybox:1.36")
                            .build());
        }
        store.insertAll(specs, "elsewhere", Instant.now());
        signIn("#/tasks?limit=100");

        browser.awaitText(".count[data-state='QUEUED']", "QUEUED 10000");
        assertThat(awaitRows(100)).hasSize(100);
        assertThat(browser.text(".page-info")).contains("Page 1");
        Set<String> seen = new HashSet<>(awaitRows(100));

        browser.find(".pager button:last-child").click(); // Next
        browser.awaitText(".page-info", "Page 2");
        List<String> second = awaitRowsOtherThan(seen);
        assertThat(second).hasSize(100).doesNotContainAnyElementsOf(seen);

        WebElement prev =
                browser.driver.findElements(By.cssSelector(".pager button")).get(1);
        prev.click();
        browser.awaitText(".page-info", "Page 1");
        assertThat(new HashSet<>(awaitRows(100))).isEqualTo(seen);
    }

    private List<String> awaitRowsOtherThan(Set<String> before) {
        return browser.await(d -> {
            List<String> ids = browser.all("tbody tr[data-id]").stream()
                    .map(e -> e.getAttribute("data-id"))
                    .toList();
            return !ids.isEmpty() && !before.contains(ids.getFirst()) ? ids : null;
        });
    }

    @Test
    void theReplicasPageListsThisReplica() {
        signIn("#/replicas");
        String replica = browser.awaitText("table.replicas", drover.schedulerId());
        assertThat(replica).contains("this server", "alive");
    }

    @Test
    void theFilesAreServedWithTypesCachingAndNoWayOutOfTheirFolder() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> page = get(http, "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(page.body()).contains("/dashboard/app.js");

        java.net.http.HttpResponse<String> js = get(http, "/dashboard/app.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String etag = js.headers().firstValue("ETag").orElseThrow();
        assertThat(get(http, "/dashboard/app.js", etag).statusCode()).isEqualTo(304);
        assertThat(get(http, "/dashboard/app.css", null).headers().firstValue("Content-Type"))
                .hasValue("text/css; charset=utf-8");

        for (String bad : List.of(
                "/dashboard/../openapi.json",
                "/dashboard/%2e%2e/openapi.json",
                "/dashboard/..%2fopenapi.json",
                "/dashboard/nothing.js",
                "/dashboard/.hidden.js",
                "/dashboard/app.js/")) {
            assertThat(get(http, bad, null).statusCode()).as(bad).isEqualTo(404);
        }
    }

    private java.net.http.HttpResponse<String> get(java.net.http.HttpClient http, String path, String etag)
            throws Exception {
        java.net.http.HttpRequest.Builder b =
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + path));
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A page that is left ends its streams (the watch): Chromium otherwise keeps them, and with them
     * its six connections per host, so after a few navigations a page waited a minute for one.
     */
    @Test
    void leavingThePageEndsItsStreamsSoPagesOpenedAfterItGetConnections() {
        signIn("#/tasks");
        browser.awaitText("#live", "live");
        // far more than a page takes here (0.1 s), far less than a wait for a freed connection (~60 s)
        browser.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        for (int i = 0; i < 10; i++) {
            browser.open("about:blank");
            browser.open(server.url() + "/#/tasks");
            browser.await(
                    d -> browser.text("main h1").contains("Tasks")
                                    && browser.text("#live").contains("live")
                            ? true
                            : null,
                    Duration.ofSeconds(20));
        }
    }
}
