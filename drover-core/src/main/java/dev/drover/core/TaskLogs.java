package dev.drover.core;

import dev.drover.core.store.ArchivedLog;
import dev.drover.core.store.LogArchive;
import dev.drover.core.store.TaskStore;
import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A task's container log, the same output wherever it is: from the archive once the try has
 * ended (its pod may be long gone), else from the pod through the apiserver, read or followed (a
 * follow resumes after a dropped connection and ends when the container ends). Never loads a log
 * whole into memory. What {@code drover logs} prints.
 */
public final class TaskLogs {
    private final TaskStore store;
    private final LogArchive archive;
    private final Supplier<KubeApi> api;

    /**
     * @param api asked for only when the log must come from the pod (an archived log needs no
     *     cluster)
     */
    public TaskLogs(TaskStore store, LogArchive archive, Supplier<KubeApi> api) {
        this.store = store;
        this.archive = archive;
        this.api = api;
    }

    /** What to print: one container of one try, all of it or its last lines, followed or not. */
    public record Request(
            String taskId,
            @Nullable Integer tryNumber,
            @Nullable String container,
            @Nullable Integer tailLines,
            boolean follow) {}

    /**
     * Writes the log to {@code out}. Throws {@link IllegalArgumentException} for an unknown task,
     * try or container (naming what exists), {@link IllegalStateException} when there is no log to
     * give (the log could not be read before the pod went, or the pod is gone and nothing was
     * archived), {@link ApiException} when the apiserver cannot be reached.
     */
    public void write(Request r, OutputStream out) throws IOException, InterruptedException {
        Task t = store.get(r.taskId())
                .orElseThrow(() -> new IllegalArgumentException(
                        "no task '" + r.taskId() + "' in the store (drover list shows the tasks)"));
        int tryNumber = r.tryNumber() == null ? t.tryNumber() : r.tryNumber();
        if (tryNumber < 1 || tryNumber > t.tryNumber()) {
            throw new IllegalArgumentException("try " + tryNumber + ": task " + t.id() + " has "
                    + (t.tryNumber() == 1 ? "only try 1" : "tries 1 to " + t.tryNumber()));
        }
        if (fromArchive(t, tryNumber, r, out)) {
            return;
        }
        boolean launched = tryNumber < t.tryNumber() || t.podName() != null;
        if (!launched || tryNumber == t.tryNumber() && t.state() == TaskState.QUEUED) {
            throw new IllegalStateException("task " + t.id() + " has no pod yet (" + t.state() + ")");
        }
        String pod = TaskIds.podName(t.spec().name(), t.id(), tryNumber);
        PodLog logs = r.tailLines() == null
                ? PodLog.builder(api.get()).build()
                : PodLog.builder(api.get()).tailLines(r.tailLines()).build();
        try {
            if (r.follow()) {
                logs.follow(t.spec().namespace(), pod, r.container(), out);
            } else {
                logs.read(t.spec().namespace(), pod, r.container(), out);
            }
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
            // Gone meanwhile: its try ended and the log was archived just now, or never.
            if (!fromArchive(t, tryNumber, r, out)) {
                boolean notYet = tryNumber == t.tryNumber() && t.state() == TaskState.LAUNCHING;
                throw new IllegalStateException("task " + t.id() + " try " + tryNumber
                        + (notYet
                                ? " has no pod yet (LAUNCHING)"
                                : ": its pod " + pod + " is gone and no log of it was archived"));
            }
        } finally {
            out.flush();
        }
    }

    /** Writes the archived log of the try, if there is one; false when the try has none. */
    private boolean fromArchive(Task t, int tryNumber, Request r, OutputStream out) throws IOException {
        List<ArchivedLog> kept = archive.list(t.id()).stream()
                .filter(a -> a.tryNumber() == tryNumber)
                .toList();
        if (kept.isEmpty()) {
            return false;
        }
        List<String> names = kept.stream().map(ArchivedLog::container).toList();
        String container = r.container() != null ? r.container() : defaultContainer(t, tryNumber, names);
        ArchivedLog a = kept.stream()
                .filter(k -> k.container().equals(container))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("container " + container + ": task " + t.id() + " try "
                        + tryNumber + " has logs of " + String.join(", ", names)));
        if (!a.available()) {
            throw new IllegalStateException("task " + t.id() + " try " + tryNumber + " container " + container
                    + ": log unavailable: " + a.unavailable());
        }
        if (r.tailLines() != null) {
            for (String line : archive.tail(t.id(), tryNumber, container, r.tailLines())) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } else {
            archive.copyTo(t.id(), tryNumber, container, out);
        }
        out.flush();
        return true;
    }

    /** {@code main} (the task's container) if it has a log, else the only container. */
    private static String defaultContainer(Task t, int tryNumber, List<String> names) {
        if (names.contains("main") || names.size() == 1) {
            return names.contains("main") ? "main" : names.getFirst();
        }
        throw new IllegalArgumentException("task " + t.id() + " try " + tryNumber + " has logs of "
                + String.join(", ", names) + "; name one (--container)");
    }
}
