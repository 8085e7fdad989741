package dev.drover.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With the dev tools on the class path, drover has their commands (found by ServiceLoader). */
class DevToolsCommandsTest {
    @Test
    void theDevToolsCommandsAreThereWithTheirOwnHelp() throws Exception {
        Cli.Run help = Cli.run("--help");
        Cli.Run demo = Cli.run("demo", "--help");

        assertThat(help.out())
                .contains("demo        Runs a batch of sample tasks")
                .contains("testground  Starts, stops or shows the local test ground")
                .contains("sim         Runs simulated nodes")
                .doesNotContain("needs drover-devtools.jar");
        assertThat(demo.out()).contains("--kubeconfig").contains("--state-dir");
    }
}
