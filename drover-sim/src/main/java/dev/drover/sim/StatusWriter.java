package dev.drover.sim;

import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes pods' statuses like the kubelet's status manager: changes made in one loop turn go out as
 * one write, an unchanged status is not written again, a 404 means the pod is gone, and a 409/422
 * (conflict or uid precondition) re-reads the pod and retries while it is still the same pod.
 */
final class StatusWriter {
    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

    private final SimLoop loop;
    private final SimCounters counters;
    private final Consumer<String> gone;

    /** {@code gone} is told the uid of a pod found deleted. */
    StatusWriter(SimLoop loop, SimCounters counters, Consumer<String> gone) {
        this.loop = loop;
        this.counters = counters;
        this.gone = gone;
    }

    /** Asks for a status write at the end of this loop turn, so changes made together go out together. */
    void request(PodState ps) {
        if (ps.statusRequested) {
            return;
        }
        ps.statusRequested = true;
        loop.execute(() -> {
            ps.statusRequested = false;
            if (!ps.frozen && !ps.gone) {
                writeNow(ps);
            }
        });
    }

    /** Queues the pod's status as it is now. */
    void writeNow(PodState ps) {
        String phase = KubeletStatus.phase(ps);
        String body = KubeletStatus.patch(ps, Instant.now()).toString();
        if (body.equals(ps.lastStatus)) {
            return;
        }
        ps.lastStatus = body;
        boolean ends = phase.equals("Succeeded") || phase.equals("Failed") || "ProviderFailed".equals(ps.reason);
        ApiWriter.Request request =
                new ApiWriter.Request("status", "PATCH", ps.path() + "/status", "application/merge-patch+json", body);
        ps.writes.add(request, reply -> statusWritten(ps, request, reply, ends, 0));
    }

    private void statusWritten(
            PodState ps, ApiWriter.Request request, ApiWriter.Reply reply, boolean ends, int conflicts) {
        if (reply.ok()) {
            if (ends && !ps.finishCounted) {
                ps.finishCounted = true;
                counters.finished.increment();
            }
            return;
        }
        if (reply.code() == 404) {
            gone.accept(ps.uid);
            return;
        }
        if ((reply.code() == 409 || reply.code() == 422) && conflicts < 5) {
            // A conflict or a uid precondition miss: look at the pod again before retrying.
            ps.writes.addFirst(ApiWriter.Request.get("get", ps.path()), got -> {
                if (got.code() == 404 || (got.ok() && !got.body().contains("\"uid\":\"" + ps.uid + "\""))) {
                    gone.accept(ps.uid);
                } else {
                    ps.writes.addFirst(request, r -> statusWritten(ps, request, r, ends, conflicts + 1));
                }
            });
            return;
        }
        log.warn("status write for pod {} failed: {} {}", ps, reply.code(), reply.body());
    }
}
