package dev.drover.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.kube.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link PodReads} through drover-kube's {@link KubeApi}: one GET each, decoded as it streams. */
final class PodReader implements PodReads {
    private static final JsonFactory JSON = new JsonFactory();
    private final KubeApi api;

    PodReader(KubeApi api) {
        this.api = api;
    }

    @Override
    public Optional<PodView> lookUp(String namespace, String name) {
        try {
            return Optional.of(api.get("get", ResourceType.PODS.path(namespace) + "/" + name, null, in -> {
                try (JsonParser p = JSON.createParser(in)) {
                    p.nextToken();
                    return PodView.PROJECTION.decode(p);
                }
            }));
        } catch (ApiException e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<PodView> list(String namespace, String labelSelector) {
        return api.get(
                "list",
                ResourceType.PODS.path(namespace),
                Map.of("labelSelector", labelSelector, "resourceVersion", "0"),
                in -> {
                    List<PodView> pods = new java.util.ArrayList<>();
                    try (JsonParser p = JSON.createParser(in)) {
                        // {"kind":"PodList", …, "items":[{…}, …]}: each item decoded as it streams
                        if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                            return pods;
                        }
                        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            p.nextToken();
                            if (field.equals("items")
                                    && p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                                    pods.add(PodView.PROJECTION.decode(p));
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    return pods;
                });
    }

    @Override
    public void copyLog(String namespace, String pod, String container, LogSink sink) {
        api.get("log", ResourceType.PODS.path(namespace) + "/" + pod + "/log", Map.of("container", container), in -> {
            sink.accept(in);
            return null;
        });
    }

    @Override
    public List<String> logTail(String namespace, String pod, String container, int lines) {
        String text = api.get(
                "get",
                ResourceType.PODS.path(namespace) + "/" + pod + "/log",
                Map.of("container", container, "tailLines", Integer.toString(lines)),
                in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
        return text.lines().toList();
    }
}
