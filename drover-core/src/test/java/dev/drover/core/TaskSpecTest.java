package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TaskSpecTest {

    @Test
    void defaultsSuitMostTasks() {
        TaskSpec s = TaskSpec.builder("job").image("busybox").build();

        assertThat(s.namespace()).isEqualTo("default");
        assertThat(s.retries()).isZero();
        assertThat(s.infraRetries()).as("tries the cluster may end for free").isEqualTo(3);
        assertThat(s.startupTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.cleanup()).isEqualTo(CleanupPolicy.DELETE_ON_SUCCESS);
    }

    @Test
    void eachBadFieldIsNamedWithAFix() {
        assertThatThrownBy(() -> TaskSpec.builder("Bad_Name").image("i").build())
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("name: 'Bad_Name' must be");
        assertThatThrownBy(() -> TaskSpec.builder("ok").build()).hasMessageStartingWith("image: is required");
        assertThatThrownBy(() -> TaskSpec.builder("ok").image("a b").build()).hasMessageStartingWith("image:");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .request("memory", "lots")
                        .build())
                .hasMessageStartingWith("requests: 'memory=lots' is not a Kubernetes quantity");
        assertThatThrownBy(
                        () -> TaskSpec.builder("ok").image("i").env("1X", "v").build())
                .hasMessageStartingWith("env:");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .label("drover.dev/owner", "x")
                        .build())
                .hasMessageContaining("reserved for Drover");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .retries(-1, Duration.ofSeconds(1))
                        .build())
                .hasMessageStartingWith("retries:");
        assertThatThrownBy(
                        () -> TaskSpec.builder("ok").image("i").infraRetries(-1).build())
                .hasMessageStartingWith("infraRetries: -1 is out of range; use 0");
        assertThatThrownBy(
                        () -> TaskSpec.builder("ok").image("i").namespace("No").build())
                .hasMessageStartingWith("namespace:");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .runTimeout(Duration.ZERO)
                        .build())
                .hasMessageStartingWith("runTimeout:");
    }

    @Test
    void whatKubernetesWouldRefuseAnywayIsRefusedAtSubmit() {
        assertThatThrownBy(() ->
                        TaskSpec.builder("ok").image("i").label("bad key!", "v").build())
                .hasMessageStartingWith("labels: key 'bad key!' must be at most 63");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .label("Not_A.Domain/app", "v")
                        .build())
                .hasMessageStartingWith("labels: key 'Not_A.Domain/app' has a bad prefix");
        assertThatThrownBy(() ->
                        TaskSpec.builder("ok").image("i").annotation("-x", "v").build())
                .hasMessageStartingWith("annotations: key '-x'");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .annotation("big", "x".repeat(300 * 1024))
                        .build())
                .hasMessageStartingWith("annotations: take ")
                .hasMessageContaining("256 KiB");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("Registry.Example/Team/App:1")
                        .build())
                .hasMessageStartingWith("image: 'Registry.Example/Team/App:1' is not a valid image reference:"
                        + " repository names are lower case");
        assertThatThrownBy(() -> TaskSpec.builder("ok").image("app:bad tag").build())
                .hasMessageStartingWith("image: 'app:bad tag' must not contain spaces");
        assertThatThrownBy(() -> TaskSpec.builder("ok").image("app::1").build())
                .hasMessageStartingWith("image: 'app::1' is not a valid image reference");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .podTemplate("spec: {containers: [{name: main, image: 'UPPER/case'}]}")
                        .build())
                .hasMessageStartingWith("image: container 'main': 'UPPER/case' is not a valid image reference");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .podOverride("metadata: {labels: {team: 'not valid!'}}")
                        .build())
                .hasMessageStartingWith("labels: value 'not valid!' of 'team'");
    }

    @Test
    void validImageReferencesAndKeysPass() {
        for (String image : java.util.List.of(
                "busybox",
                "busybox:1.36",
                "library/busybox:latest",
                "registry.example:5000/team/app:2.1-rc_1",
                "localhost/app",
                "REGISTRY.example/app",
                "app@sha256:" + "a".repeat(64),
                "ghcr.io/org/app:v1@sha256:" + "0123456789abcdef".repeat(4))) {
            TaskSpec.builder("ok").image(image).build();
        }
        TaskSpec.builder("ok")
                .image("i")
                .label("app.kubernetes.io/name", "etl")
                .label("tier", "")
                .annotation("example.com/owner", "team data, see wiki")
                .build();
    }
}
