package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** list says when it cut the list; states in any case; --help shows each command's whole summary. */
class ListAndHelpTest {
    private final String store = Cli.memoryStore();

    private void queue(int n) {
        try (TaskStore s = TaskStores.fromUrl(store)) {
            for (int i = 0; i < n; i++) {
                s.insert("task-" + i, TaskSpec.builder("t" + i).image("busybox").build(), Instant.now());
            }
        }
    }

    @Test
    void listSaysHowManyMoreThereAreAndHowToSeeThem() {
        queue(3);

        Cli.Run r = Cli.run("list", "--store", store, "--limit", "2");

        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.errLines()).isEqualTo("(1 more; --limit 3 shows all 3)\n");
    }

    @Test
    void aStateFilterCountsOnlyThoseStates() {
        queue(3);
        try (TaskStore s = TaskStores.fromUrl(store)) {
            s.claim("someone", 1, Instant.now().plusSeconds(1)); // one of them LAUNCHING now
        }

        Cli.Run r = Cli.run("list", "--store", store, "--state", "queued", "--limit", "1");

        assertThat(r.exit()).isZero();
        assertThat(r.errLines()).isEqualTo("(1 more in [QUEUED]; --limit 2 shows all 2)\n");
    }

    @Test
    void aListThatFitsSaysNothingMore() {
        queue(2);

        Cli.Run r = Cli.run("list", "--store", store, "--limit", "2");

        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.errLines()).isEmpty();
    }

    @Test
    void statesAreTakenInAnyCase() {
        queue(1);

        Cli.Run r = Cli.run("list", "--store", store, "--state", "queued,Running");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("QUEUED");
    }

    @Test
    void helpListsEveryCommandWithItsWholeSummary() {
        Cli.Run r = Cli.run("--help");

        List<String> entries = commandEntries(r.out());
        assertThat(entries)
                .extracting(e -> e.split(" ")[0])
                .contains("run", "submit", "status", "list", "cancel", "logs", "worker", "demo", "testground", "sim");
        assertThat(entries).allSatisfy(e -> assertThat(e).matches(".*[.)]$"));
    }

    @Test
    void aCommandLineNamingABuiltInCommandBuildsThatOneOnly() {
        picocli.CommandLine one = DroverCommand.commandLine(new String[] {"--debug", "status", "--store", store});
        picocli.CommandLine typo = DroverCommand.commandLine(new String[] {"stauts"});

        assertThat(one.getSubcommands()).containsOnlyKeys("status");
        assertThat(one.execute("--debug", "status", "--store", store)).isZero();
        assertThat(typo.getSubcommands()).containsKeys("status", "list", "submit", "demo");
    }

    /** The "Commands:" section, one string per command with its wrapped lines joined. */
    private static List<String> commandEntries(String help) {
        List<String> entries = new ArrayList<>();
        boolean in = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith("Commands:")) {
                in = true;
            } else if (in && line.matches("  \\S.*")) {
                entries.add(line.strip().replaceAll("\\s+", " "));
            } else if (in && line.matches("\\s{3,}\\S.*")) {
                int last = entries.size() - 1;
                entries.set(last, entries.get(last) + " " + line.strip());
            }
        }
        return entries;
    }
}
