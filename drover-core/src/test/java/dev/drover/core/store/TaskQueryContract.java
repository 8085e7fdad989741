package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TaskStore#query}: filters, their combinations, cursor paging and bad input, on any database. */
abstract class TaskQueryContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    TaskStore store;

    abstract TestDatabase newDatabase();

    @BeforeEach
    void openStore() {
        store = newDatabase().open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Stores task {@code id} named {@code name} with labels given as k1, v1, k2, v2…, submitted at {@code at}. */
    Task submit(String id, String name, Instant at, String... labels) {
        TaskSpec.Builder b = TaskSpec.builder(name).image("busybox:1.36");
        for (int i = 0; i < labels.length; i += 2) {
            b.label(labels[i], labels[i + 1]);
        }
        return store.insert(id, b.build(), at);
    }

    List<String> ids(TaskQuery q) {
        return store.query(q).tasks().stream().map(Task::id).toList();
    }

    List<String> selected(String selector) {
        return ids(TaskQuery.all().withLabelSelector(selector));
    }

    void fail(String id) {
        store.transition(id, 1, Set.of(TaskState.QUEUED), TaskState.FAILED, "test", null, null, T0);
    }

    @Test
    void everyTaskIsListedNewestFirstAndTiesInTheSameMillisecondBySubmitOrder() {
        submit("t-1", "a", T0);
        submit("t-2", "a", T0.plusSeconds(1));
        submit("t-3", "a", T0.plusSeconds(1));

        TaskPage page = store.query(TaskQuery.all());

        assertThat(page.tasks()).extracting(Task::id).containsExactly("t-3", "t-2", "t-1");
        assertThat(page.nextCursor()).isNull();
        assertThat(page.tasks())
                .extracting(Task::id)
                .isEqualTo(store.list(Set.of(), 10).stream().map(Task::id).toList());
    }

    @Test
    void statesSelectTasksInAnyOfThem() {
        submit("queued", "a", T0);
        submit("failed", "a", T0.plusSeconds(1));
        submit("launching", "a", T0.plusSeconds(2));
        submit("also-failed", "a", T0.plusSeconds(3));
        fail("failed");
        fail("also-failed");
        store.claim("me", 1, T0.plusSeconds(10)); // the oldest queued: "queued"
        // "queued" is LAUNCHING now, "launching" is still QUEUED

        assertThat(ids(TaskQuery.all().withStates(Set.of(TaskState.FAILED)))).containsExactly("also-failed", "failed");
        assertThat(ids(TaskQuery.all().withStates(Set.of(TaskState.QUEUED, TaskState.LAUNCHING))))
                .containsExactly("launching", "queued");
        assertThat(ids(TaskQuery.all().withStates(Set.of(TaskState.SUCCEEDED)))).isEmpty();
        assertThat(ids(TaskQuery.all().withStates(Set.of(TaskState.values())))).hasSize(4);
    }

    @Test
    void aNameMatchesExactly() {
        submit("t-1", "etl", T0);
        submit("t-2", "etl-2", T0.plusSeconds(1));
        submit("t-3", "etl", T0.plusSeconds(2));

        assertThat(ids(TaskQuery.all().withName("etl"))).containsExactly("t-3", "t-1");
        assertThat(ids(TaskQuery.all().withName("et"))).isEmpty();
    }

    @Test
    void submittedSinceIncludesItsOwnInstant() {
        submit("before", "a", T0.minusMillis(1));
        submit("at", "a", T0);
        submit("after", "a", T0.plusSeconds(1));

        assertThat(ids(TaskQuery.all().withSubmittedSince(T0))).containsExactly("after", "at");
    }

    @Test
    void labelSelectorsUseKubernetesSyntaxAndMeaning() {
        submit("etl-prod", "a", T0, "team", "etl", "env", "prod");
        submit("etl-dev", "a", T0.plusSeconds(1), "team", "etl", "env", "dev", "canary", "");
        submit("web", "a", T0.plusSeconds(2), "team", "web", "example.com/tier", "front");
        submit("bare", "a", T0.plusSeconds(3));

        assertThat(selected("team=etl")).containsExactly("etl-dev", "etl-prod");
        assertThat(selected("team==web")).containsExactly("web");
        assertThat(selected("env in (prod,staging)")).containsExactly("etl-prod");
        assertThat(selected("team")).containsExactly("web", "etl-dev", "etl-prod");
        assertThat(selected("example.com/tier=front")).containsExactly("web");
        // as in Kubernetes, != and notin select tasks without the label too
        assertThat(selected("team!=etl")).containsExactly("bare", "web");
        assertThat(selected("env notin (dev)")).containsExactly("bare", "web", "etl-prod");
        assertThat(selected("!canary")).containsExactly("bare", "web", "etl-prod");
        assertThat(selected("canary")).containsExactly("etl-dev");
        assertThat(selected("canary=")).containsExactly("etl-dev");
        assertThat(selected("team=etl,!canary")).containsExactly("etl-prod");
        assertThat(selected("team in (etl, web), env notin (prod), !example.com/tier"))
                .containsExactly("etl-dev");
        assertThat(selected("team=nobody")).isEmpty();
        assertThat(selected("")).hasSize(4);
    }

    @Test
    void everyFilterGivenMustMatch() {
        submit("old", "etl", T0.minusSeconds(60), "team", "etl");
        submit("match", "etl", T0, "team", "etl");
        submit("other-name", "web", T0.plusSeconds(1), "team", "etl");
        submit("other-label", "etl", T0.plusSeconds(2), "team", "web");
        submit("failed", "etl", T0.plusSeconds(3), "team", "etl");
        fail("failed");

        TaskQuery q = TaskQuery.all()
                .withStates(Set.of(TaskState.QUEUED, TaskState.RUNNING))
                .withName("etl")
                .withLabelSelector("team=etl")
                .withSubmittedSince(T0);

        assertThat(ids(q)).containsExactly("match");
        assertThat(ids(q.withStates(Set.of(TaskState.FAILED)))).containsExactly("failed");
        assertThat(ids(q.withStates(Set.of()))).containsExactly("failed", "match");
    }

    @Test
    void pagesGiveEveryTaskOnceInOrderAndTheLastHasNoCursor() {
        List<String> newestFirst = new ArrayList<>();
        LinkedHashMap<String, TaskSpec> batch = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            String id = "t-%03d".formatted(i);
            // three tasks per millisecond: the cursor must tell tasks of one millisecond apart
            batch.put(id, TaskSpec.builder("a").image("busybox").build());
            if (batch.size() == 3 || i == 249) {
                store.insertAll(batch, T0.plusMillis(i));
                batch.clear();
            }
            newestFirst.addFirst(id);
        }

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        TaskQuery q = TaskQuery.all().withLimit(100);
        String cursor;
        do {
            TaskPage page = store.query(q);
            page.tasks().forEach(t -> seen.add(t.id()));
            sizes.add(page.tasks().size());
            cursor = page.nextCursor();
            q = q.withCursor(cursor);
        } while (cursor != null);

        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void aLastPageThatIsFullHasNoCursor() {
        for (int i = 0; i < 4; i++) {
            submit("t-" + i, "a", T0.plusSeconds(i));
        }

        TaskPage first = store.query(TaskQuery.all().withLimit(2));
        TaskPage second = store.query(TaskQuery.all().withLimit(2).withCursor(first.nextCursor()));

        assertThat(first.nextCursor()).isNotNull();
        assertThat(second.tasks()).extracting(Task::id).containsExactly("t-1", "t-0");
        assertThat(second.nextCursor()).isNull();
    }

    @Test
    void pagesOfSeveralStatesAndALabelKeepTheirOrderToo() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String id = "t-%02d".formatted(i);
            submit(id, "a", T0.plusMillis(i / 2), "team", i % 3 == 0 ? "web" : "etl");
            if (i % 4 == 0) {
                fail(id);
            }
            if (i % 3 != 0) {
                expected.addFirst(id);
            }
        }

        List<String> seen = new ArrayList<>();
        TaskQuery q = TaskQuery.all()
                .withStates(Set.of(TaskState.QUEUED, TaskState.FAILED))
                .withLabelSelector("team=etl")
                .withLimit(7);
        for (String cursor = ""; cursor != null; ) {
            TaskPage page = store.query(q);
            page.tasks().forEach(t -> seen.add(t.id()));
            cursor = page.nextCursor();
            q = q.withCursor(cursor);
        }

        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void aTaskSubmittedWhilePagingIsOnNoLaterPage() {
        submit("t-1", "a", T0);
        submit("t-2", "a", T0.plusSeconds(1));
        TaskPage first = store.query(TaskQuery.all().withLimit(1));

        submit("t-3", "a", T0.plusSeconds(2));
        TaskPage second = store.query(TaskQuery.all().withLimit(1).withCursor(first.nextCursor()));

        assertThat(first.tasks()).extracting(Task::id).containsExactly("t-2");
        assertThat(second.tasks()).extracting(Task::id).containsExactly("t-1");
    }

    @Test
    void aBadCursorIsRefusedSayingWhatToPass() {
        for (String bad : List.of("nonsense", "djE6eDp5", "!!!", "")) {
            assertThatThrownBy(() -> store.query(TaskQuery.all().withCursor(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("cursor '" + bad + "'")
                    .hasMessageContaining("pass the nextCursor of a previous page");
        }
    }

    @Test
    void aBadSelectorIsRefusedNamingTheProblem() {
        assertThatThrownBy(() -> TaskQuery.all().withLabelSelector("team in (etl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("labelSelector \"team in (etl\":")
                .hasMessageContaining("unclosed '('");
        assertThatThrownBy(() -> TaskQuery.all().withLabelSelector("team=a b"))
                .hasMessageStartingWith("labelSelector")
                .hasMessageContaining("label value 'a b'");
    }

    @Test
    void aLimitOutsideOneToAThousandIsRefused() {
        assertThatThrownBy(() -> TaskQuery.all().withLimit(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit 0 is out of range; give 1 to 1000 tasks per page");
        assertThatThrownBy(() -> TaskQuery.all().withLimit(1001)).hasMessageStartingWith("limit 1001");
        assertThat(TaskQuery.all().withLimit(1000).limit()).isEqualTo(1000);
    }

    @Test
    void labelsOfABatchAreQueryableAtOnce() {
        store.insertAll(
                new LinkedHashMap<>(Map.of(
                        "t-1",
                        TaskSpec.builder("a")
                                .image("busybox")
                                .label("run", "r7")
                                .build())),
                T0);

        assertThat(selected("run=r7")).containsExactly("t-1");
    }
}
