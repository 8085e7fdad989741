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
                        () -> TaskSpec.builder("ok").image("i").namespace("No").build())
                .hasMessageStartingWith("namespace:");
        assertThatThrownBy(() -> TaskSpec.builder("ok")
                        .image("i")
                        .runTimeout(Duration.ZERO)
                        .build())
                .hasMessageStartingWith("runTimeout:");
    }
}
