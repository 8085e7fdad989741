package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
    private final StreamDecoder<PodView> decoder = new StreamDecoder<>(PodView.PROJECTION);

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAListKeepingOnlyTheDeclaredFields() throws Exception {
        ListPage<PodView> page =
                decoder.readList(in("{'kind':'PodList','metadata':{'resourceVersion':'42','continue':'c1'},"
                        + "'items':[{'metadata':{'name':'p','namespace':'n','uid':'u','resourceVersion':'41','labels':{'a':'b'},"
                        + "'managedFields':[{'big':'x'}]},'spec':{'nodeName':'n1','containers':[{'name':'c'}]},"
                        + "'status':{'phase':'Running','containerStatuses':[{'name':'c','ready':true,'restartCount':0,"
                        + "'state':{'terminated':{'exitCode':3,'reason':'Error','startedAt':'2026-01-01T00:00:00Z',"
                        + "'finishedAt':'2026-01-01T00:00:01Z'}}}]}}]}"));

        assertThat(page.resourceVersion()).isEqualTo("42");
        assertThat(page.continueToken()).isEqualTo("c1");
        PodView p = page.items().getFirst();
        assertThat(p.name()).isEqualTo("p");
        assertThat(p.labels()).containsEntry("a", "b");
        assertThat(p.nodeName()).isEqualTo("n1");
        assertThat(p.phase()).isEqualTo("Running");
        assertThat(p.containers().getFirst().state()).isEqualTo("terminated");
        assertThat(p.containers().getFirst().exitCode()).isEqualTo(3);
        assertThat(p.containers().getFirst().finishedAt()).hasToString("2026-01-01T00:00:01Z");
    }

    @Test
    void readsWatchEventsBookmarksAndErrors() throws Exception {
        JsonParser p = decoder.watchParser(
                in(
                        "{'type':'ADDED','object':{'metadata':{'name':'a','resourceVersion':'5'}}}\n"
                                + "{'type':'BOOKMARK','object':{'metadata':{'resourceVersion':'9','annotations':{'k8s.io/initial-events-end':'true'}}}}\n"
                                + "{'type':'ERROR','object':{'kind':'Status','code':410,'reason':'Expired','message':'too old resource version'}}\n"));

        assertThat(decoder.next(p))
                .isInstanceOfSatisfying(
                        WatchEvent.Added.class,
                        a -> assertThat(((PodView) a.object()).resourceVersion())
                                .isEqualTo("5"));
        assertThat(decoder.next(p)).isEqualTo(new WatchEvent.Bookmark<PodView>("9", true));
        assertThat(decoder.next(p)).isInstanceOfSatisfying(WatchEvent.Error.class, e -> {
            assertThat(e.error().isGone()).isTrue();
            assertThat(e.error().reason()).isEqualTo("Expired");
        });
        assertThat(decoder.next(p)).isNull();
    }

    @Test
    void anEventTypeAfterItsObjectStillDecodes() throws Exception {
        JsonParser p = decoder.watchParser(
                in(
                        "{'object':{'metadata':{'name':'a','resourceVersion':'5'},'status':{'phase':'Pending'}},'type':'MODIFIED'}"));

        assertThat(decoder.next(p))
                .isInstanceOfSatisfying(
                        WatchEvent.Modified.class,
                        m -> assertThat(((PodView) m.object()).phase()).isEqualTo("Pending"));
    }
}
