package dev.drover.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validating admission webhook that refuses the first {@code n} pod creates of one namespace
 * with 429 and a Retry-After of the test's choosing, so a client's handling of a long Retry-After
 * can be checked on the real apiserver (its max-inflight filter always says {@code Retry-After:
 * 1}). The apiserver passes the webhook's Status through: its code, and {@code
 * details.retryAfterSeconds}, which becomes the {@code Retry-After} header.
 *
 * <p>It serves HTTPS on 127.0.0.1 with a self-signed certificate (IP SAN 127.0.0.1, made with the
 * JDK's {@code keytool}) given to the apiserver as the caBundle, and records when each create
 * reached it, by the webhook's own clock, independent of any client:
 *
 * <pre>{@code
 * try (ThrottlingWebhook webhook = ground.throttlePodCreates(ns, 1, Duration.ofSeconds(4))) {
 *     ... // the first pod create in ns answers 429, Retry-After: 4
 *     webhook.reviews(); // arrival times, names, denied or not
 * }
 * }</pre>
 */
public final class ThrottlingWebhook implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ThrottlingWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABEL = "drover.dev/throttling-webhook";
    private static final AtomicLong IDS = new AtomicLong();

    /** One pod create that reached the webhook (dry runs excluded). */
    public record Review(Instant arrived, String name, boolean denied) {}

    private final TestGround ground;
    private final String namespace;
    private final String configName;
    private final Duration retryAfter;
    private final AtomicInteger denialsLeft;
    private final HttpsServer server;
    private final List<Review> reviews = new CopyOnWriteArrayList<>();
    private final AtomicInteger dryRuns = new AtomicInteger();
    private volatile boolean closing;

    private ThrottlingWebhook(TestGround ground, String namespace, int denials, Duration retryAfter)
            throws IOException {
        this.ground = ground;
        this.namespace = namespace;
        this.retryAfter = retryAfter;
        this.denialsLeft = new AtomicInteger(denials);
        this.configName = "drover-throttle-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(
                new HttpsConfigurator(LoopbackTls.of("drover-webhook").sslContext()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/validate", this::review);
        server.start();
    }

    /**
     * Starts the webhook and registers it for pod creates in {@code namespace} (which it labels to
     * select it); returns once the apiserver calls it. Close it to unregister and stop.
     */
    static ThrottlingWebhook start(TestGround ground, String namespace, int denials, Duration retryAfter) {
        if (denials < 0 || retryAfter.toSeconds() < 1) {
            throw new IllegalArgumentException(
                    "throttlePodCreates needs denials >= 0 and a Retry-After of at least 1 s (got " + denials + ", "
                            + retryAfter + ")");
        }
        ThrottlingWebhook w;
        try {
            w = new ThrottlingWebhook(ground, namespace, denials, retryAfter);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the throttling webhook: " + e.getMessage(), e);
        }
        try {
            w.register();
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Every pod create that reached the webhook, in order of arrival. */
    public List<Review> reviews() {
        return List.copyOf(reviews);
    }

    /** The webhook's URL, as registered with the apiserver. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/validate";
    }

    private void register() {
        try (KubernetesClient admin = ground.adminClient()) {
            admin.namespaces()
                    .withName(namespace)
                    .edit(n -> new NamespaceBuilder(n)
                            .editMetadata()
                            .addToLabels(LABEL, configName)
                            .endMetadata()
                            .build());
            ValidatingWebhookConfiguration config = new ValidatingWebhookConfigurationBuilder()
                    .withNewMetadata()
                    .withName(configName)
                    .endMetadata()
                    .withWebhooks(new ValidatingWebhookBuilder()
                            .withName("throttle.drover.dev")
                            .withNewClientConfig()
                            .withUrl(url())
                            .withCaBundle(LoopbackTls.of("drover-webhook").caBundle())
                            .endClientConfig()
                            .addNewRule()
                            .withOperations("CREATE")
                            .withApiGroups("")
                            .withApiVersions("v1")
                            .withResources("pods")
                            .withScope("Namespaced")
                            .endRule()
                            .withNewNamespaceSelector()
                            .withMatchLabels(Map.of(LABEL, configName))
                            .endNamespaceSelector()
                            .withSideEffects("None")
                            .withAdmissionReviewVersions("v1")
                            .withFailurePolicy("Fail")
                            .withTimeoutSeconds(10)
                            .build())
                    .build();
            admin.admissionRegistration()
                    .v1()
                    .validatingWebhookConfigurations()
                    .resource(config)
                    .create();
            // The apiserver picks a new configuration up from its own watch: wait until it calls us.
            awaitDryRunReaching(admin, true);
        }
        log.info(
                "throttling webhook {} at {}: the first {} pod create(s) in {} get 429, Retry-After: {}",
                configName,
                url(),
                denialsLeft.get(),
                namespace,
                retryAfter.toSeconds());
    }

    /** Dry-run pod creates until one reaches the webhook ({@code reaching}) or one no longer does. */
    private void awaitDryRunReaching(KubernetesClient admin, boolean reaching) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            int before = dryRuns.get();
            try {
                admin.pods()
                        .inNamespace(namespace)
                        .resource(new PodBuilder()
                                .withNewMetadata()
                                .withName("throttling-webhook-probe")
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("main")
                                .withImage("busybox")
                                .endContainer()
                                .endSpec()
                                .build())
                        .dryRun()
                        .create();
            } catch (RuntimeException e) {
                log.debug("dry-run create for the webhook's readiness: {}", e.toString());
            }
            if ((dryRuns.get() > before) == reaching) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the webhook", e);
            }
        }
        throw new IllegalStateException("the apiserver did not " + (reaching ? "start" : "stop")
                + " calling the webhook " + configName + " within 30 s");
    }

    private void review(HttpExchange ex) throws IOException {
        Instant arrived = Instant.now();
        try {
            JsonNode request;
            try (InputStream in = ex.getRequestBody()) {
                request = JSON.readTree(in).path("request");
            }
            ObjectNode response = JSON.createObjectNode();
            response.put("uid", request.path("uid").asText());
            boolean dryRun = request.path("dryRun").asBoolean(false);
            if (dryRun) {
                dryRuns.incrementAndGet();
                response.put("allowed", true);
            } else {
                String name = request.path("name")
                        .asText(request.path("object")
                                .path("metadata")
                                .path("name")
                                .asText(""));
                boolean deny = !closing && denialsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                reviews.add(new Review(arrived, name, deny));
                response.put("allowed", !deny);
                if (deny) {
                    ObjectNode status = response.putObject("status");
                    status.put("code", 429);
                    status.put("reason", "TooManyRequests");
                    status.put(
                            "message", "throttled by the test's webhook; retry after " + retryAfter.toSeconds() + " s");
                    status.putObject("details").put("retryAfterSeconds", retryAfter.toSeconds());
                }
            }
            ObjectNode review = JSON.createObjectNode();
            review.put("apiVersion", "admission.k8s.io/v1");
            review.put("kind", "AdmissionReview");
            review.set("response", response);
            byte[] body = JSON.writeValueAsBytes(review);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("throttling webhook could not answer a review: {}", e.toString());
            throw e;
        } finally {
            ex.close();
        }
    }

    /** Unregisters (waiting until the apiserver stops calling), then stops the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true; // from now on everything is allowed, so no create fails while we go
        try (KubernetesClient admin = ground.adminClient()) {
            admin.admissionRegistration()
                    .v1()
                    .validatingWebhookConfigurations()
                    .withName(configName)
                    .delete();
            awaitDryRunReaching(admin, false);
        } catch (RuntimeException e) {
            log.warn("could not unregister the throttling webhook {}: {}", configName, e.toString());
        } finally {
            server.stop(0);
        }
    }
}
