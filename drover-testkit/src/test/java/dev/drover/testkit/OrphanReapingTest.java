package dev.drover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kube")
class OrphanReapingTest {

    /** Started in a child JVM by the test below: starts a ground, prints the servers' pids, waits to be killed. */
    public static void main(String[] args) throws Exception {
        TestGround ground = TestGround.builder().build().start();
        ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").matches(".*/(etcd|kube-apiserver)"))
                .forEach(p -> System.out.println("SERVER " + p.pid()));
        System.out.println("READY " + ground.masterUrl());
        System.out.flush();
        System.in.read(); // blocks until the test kills this JVM (or closes its stdin)
    }

    @Test
    void serversDieWhenTheOwningJvmIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), OrphanReapingTest.class.getName())
                .redirectErrorStream(true)
                .start();
        List<ProcessHandle> servers = new ArrayList<>();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                if (line.startsWith("SERVER ")) {
                    ProcessHandle.of(Long.parseLong(line.substring(7).trim())).ifPresent(servers::add);
                }
            }
            assertThat(servers).as("etcd and kube-apiserver seen in the child").hasSize(2);

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs

            await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            child.destroyForcibly();
            servers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
