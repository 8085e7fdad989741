package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PodFactoryTest {

    @Test
    void aPlainTaskBecomesOnePodWithDroversIdentity() {
        TaskSpec spec = TaskSpec.builder("etl")
                .namespace("jobs")
                .image("busybox")
                .command("echo", "hi")
                .env("A", "1")
                .request("cpu", "100m")
                .label("team", "data")
                .build();

        JsonNode pod = PodFactory.build(spec, "abc123", 2, "sched-1");

        assertThat(pod.at("/metadata/name").asText()).isEqualTo("etl-abc123-2");
        assertThat(pod.at("/metadata/namespace").asText()).isEqualTo("jobs");
        assertThat(pod.at("/metadata/labels/drover.dev~1owner").asText()).isEqualTo("sched-1");
        assertThat(pod.at("/metadata/labels/drover.dev~1task-id").asText()).isEqualTo("abc123");
        assertThat(pod.at("/metadata/labels/drover.dev~1try").asText()).isEqualTo("2");
        assertThat(pod.at("/metadata/labels/team").asText()).isEqualTo("data");
        assertThat(pod.at("/metadata/annotations/drover.dev~1task-name").asText())
                .isEqualTo("etl");
        assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(pod.at("/spec/containers/0/name").asText()).isEqualTo("main");
        assertThat(pod.at("/spec/containers/0/command").toString()).isEqualTo("[\"echo\",\"hi\"]");
        assertThat(pod.at("/spec/containers/0/env/0/value").asText()).isEqualTo("1");
        assertThat(pod.at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("100m");
    }

    @Test
    void thePodCarriesDroversFinalizerBesideTheTemplatesOwnUnlessItIsTurnedOff() {
        TaskSpec spec = TaskSpec.builder("t")
                .image("busybox")
                .podTemplate("metadata: {finalizers: [example.com/keep]}\nspec: {containers: [{name: main}]}")
                .build();

        assertThat(PodFactory.build(spec, "id", 1, "me")
                        .at("/metadata/finalizers")
                        .toString())
                .isEqualTo("[\"example.com/keep\",\"drover.dev/result\"]");
        assertThat(PodFactory.build(spec, "id", 1, "me", false)
                        .at("/metadata/finalizers")
                        .toString())
                .isEqualTo("[\"example.com/keep\"]");
    }

    @Test
    void theTaskFillsTheTemplatesOnlyContainerAndTheOverrideComesLast() {
        String template = """
                apiVersion: v1
                kind: Pod
                metadata: {labels: {from: template}}
                spec:
                  restartPolicy: Always
                  containers: [{name: base, image: template-image, env: [{name: T, value: t}]}]
                """;
        TaskSpec spec = TaskSpec.builder("t")
                .image("task-image")
                .podTemplate(template)
                .podOverride(
                        "spec: {containers: [{name: base, env: [{name: O, value: o}]}], serviceAccountName: runner}")
                .build();

        JsonNode pod = PodFactory.build(spec, "id", 1, "me");

        assertThat(pod.at("/spec/containers").size()).isEqualTo(1);
        assertThat(pod.at("/spec/containers/0/image").asText()).isEqualTo("task-image");
        assertThat(pod.at("/spec/containers/0/env").size()).isEqualTo(2);
        assertThat(pod.at("/spec/serviceAccountName").asText()).isEqualTo("runner");
        assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(pod.at("/metadata/labels/from").asText()).isEqualTo("template");
    }

    @Test
    void brokenYamlNamesTheFieldWhenTheSpecIsBuilt() {
        assertThatThrownBy(() -> TaskSpec.builder("t")
                        .image("i")
                        .podOverride("spec: [unclosed")
                        .build())
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("podOverride: is not valid YAML");
    }

    @Test
    void aTemplateContainerWithoutImageIsRejectedWhenTheSpecIsBuilt() {
        assertThatThrownBy(() -> TaskSpec.builder("t")
                        .podTemplate("spec: {containers: [{name: a}, {name: b, image: x}]}")
                        .build())
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageContaining("container 'a' has no image");
    }
}
