package dev.drover.bench;

import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The limit the executor is held against: the same apiserver's create rate for the same pods
 * ({@code TaskSpec.toPod} output for the same {@link TaskSpec}, another namespace, another owner label),
 * with no executor, {@code concurrency} creates in flight, as fast as it answers. No simulated
 * node serves the namespace (the pods stay Pending) and the benchmark's own observer watches it,
 * the same conditions as {@link ExecutorLaunchOnly}'s.
 */
final class ExecutorRawCreates {
    /** Which client sends the creates. */
    enum Client {
        /** fabric8 with the configuration Drover gives its own client (no fabric8 retries): Launcher's path. */
        fabric8,
        /** The JDK HttpClient posting the JSON: no client library at all. */
        http
    }

    /** One raw run: pods created, seconds from the first request to the last answer, creates/s, retries. */
    record Result(
            String client,
            int pods,
            int concurrency,
            double seconds,
            double createsPerSecond,
            long retried,
            double createP50Ms,
            double createP99Ms) {}

    private ExecutorRawCreates() {}

    static Result run(
            Client client,
            Config adminConfig,
            KubeHttp http,
            String namespace,
            Supplier<TaskSpec> spec,
            int pods,
            int concurrency,
            Progress progress)
            throws Exception {
        KubernetesClient fabric8 = client == Client.fabric8
                ? new KubernetesClientBuilder()
                        .withConfig(new ConfigBuilder(adminConfig)
                                .withUserAgent(ExecutorBench.UA_RAW + "-fabric8")
                                .withRequestRetryBackoffLimit(0)
                                .build())
                        .build()
                : null;
        try {
            // Warm-up, not timed: connections, TLS, class loading and JIT of this client's create path.
            int warmUp = warmUp(pods, concurrency);
            burst(
                    client,
                    fabric8,
                    http,
                    namespace,
                    spec,
                    warmUp,
                    concurrency,
                    new AtomicLong(),
                    new long[warmUp],
                    null);
            AtomicLong retried = new AtomicLong();
            long[] latencies = new long[pods];
            long t0 = System.nanoTime();
            burst(client, fabric8, http, namespace, spec, pods, concurrency, retried, latencies, progress);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ExecutorStats.Percentiles p = ExecutorStats.percentiles(latencies);
            return new Result(
                    client.name(), pods, concurrency, seconds, pods / seconds, retried.get(), p.p50(), p.p99());
        } finally {
            if (fabric8 != null) {
                fabric8.close();
            }
        }
    }

    /** Untimed creates before the timed ones. */
    static int warmUp(int pods, int concurrency) {
        return Math.min(pods, 2 * concurrency);
    }

    /** {@code pods} creates by {@code concurrency} virtual threads; each one's latency into {@code latencies}. */
    private static void burst(
            Client client,
            KubernetesClient fabric8,
            KubeHttp http,
            String namespace,
            Supplier<TaskSpec> spec,
            int pods,
            int concurrency,
            AtomicLong retried,
            long[] latencies,
            Progress progress)
            throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        Workers.run(
                Thread.ofVirtual().name("raw-create-", 0), concurrency, 0, pods, 1, "raw create writers", (i, n) -> {
                    long s = System.nanoTime();
                    create(client, fabric8, http, namespace, spec.get(), retried);
                    latencies[i] = System.nanoTime() - s;
                    int d = done.incrementAndGet();
                    if (progress != null) {
                        progress.tick("raw creates (" + client + ")", d, pods);
                    }
                });
    }

    private static void create(
            Client client, KubernetesClient fabric8, KubeHttp http, String ns, TaskSpec spec, AtomicLong retried)
            throws Exception {
        // The pod Drover would build for this spec (the JSON its launcher sends), under a fresh id and the raw owner.
        String json = spec.toPod(TaskIds.next(), 1, ExecutorBench.RAW_OWNER);
        if (client == Client.http) {
            post(http, ns, json, retried, "raw create");
            return;
        }
        retrying("raw create", retried, () -> {
            // what a fabric8 launcher would do: the JSON to a Pod, then create
            Pod pod = fabric8.getKubernetesSerialization().unmarshal(json, Pod.class);
            try {
                fabric8.pods().inNamespace(ns).resource(pod).create();
                return new Answer(201, "");
            } catch (KubernetesClientException e) {
                return new Answer(
                        e.getCode(), e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
            }
        });
    }

    /**
     * POSTs a pod with a bare JDK HttpClient, retrying what the apiserver may answer under load (429,
     * 5xx); a 409 means an earlier attempt got through. Also the bare lifecycle's create.
     */
    static void post(KubeHttp http, String ns, String podJson, AtomicLong retried, String what) throws Exception {
        retrying(what, retried, () -> {
            HttpResponse<String> r = http.send("POST", KubeHttp.podsPath(ns), podJson, "application/json");
            return new Answer(r.statusCode(), r.body());
        });
    }

    /** An apiserver's answer to one attempt: status code and, for errors, what it said. */
    private record Answer(int code, String message) {}

    private interface Attempt {
        Answer send() throws Exception;
    }

    /** Up to ten retries of transient answers, backing off 100 ms doubling to 1.6 s. */
    private static void retrying(String what, AtomicLong retried, Attempt attempt) throws Exception {
        for (int n = 0; ; n++) {
            Answer a = attempt.send();
            if (a.code() == 201 || a.code() == 409) {
                return; // 409: an earlier attempt got through
            }
            boolean transient_ = a.code() <= 0 || a.code() == 429 || a.code() >= 500;
            if (!transient_ || n >= 10) {
                throw new IllegalStateException(what + " answered " + a.code() + ": " + a.message());
            }
            retried.incrementAndGet();
            Thread.sleep(Math.min(2000, 100L << Math.min(n, 4)));
        }
    }
}
