package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.drover.kube.PodView;
import org.junit.jupiter.api.Test;

/**
 * The classifier on pods as the apiserver sends them (decoded by the lean projection): scheduling
 * gates, unschedulable pods, native sidecars. The 1.20 test ground drops {@code restartPolicy} of
 * init containers and has no scheduling gates, so these shapes are tested here only.
 */
class PodClassifierJsonTest {
    private final PodClassifier classifier = new PodClassifier();

    private static PodView pod(String spec, String status) throws Exception {
        String json = "{'metadata':{'name':'p','namespace':'ns','uid':'u','resourceVersion':'1'},'spec':" + spec
                + ",'status':" + status + "}";
        try (JsonParser p = new JsonFactory().createParser(json.replace('\'', '"'))) {
            p.nextToken();
            return PodView.PROJECTION.decode(p);
        }
    }

    private static final String SIDECAR_SPEC = "{'initContainers':[{'name':'setup','image':'busybox'},"
            + "{'name':'proxy','image':'envoy','restartPolicy':'Always'}],'containers':[{'name':'main','image':'app'}]}";

    private static String terminated(String name, int exit, String reason) {
        return "{'name':'" + name + "','state':{'terminated':{'exitCode':" + exit + ",'reason':'" + reason + "'}}}";
    }

    private static String running(String name) {
        return "{'name':'" + name + "','state':{'running':{'startedAt':'2030-01-01T00:00:00Z'}}}";
    }

    private static String waiting(String name, String reason) {
        return "{'name':'" + name + "','state':{'waiting':{'reason':'" + reason + "'}}}";
    }

    @Test
    void anUnschedulablePodIsPendingWithTheSchedulersMessageNotFailed() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        "{'containers':[{'name':'main'}]}",
                        "{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
                                + "'reason':'Unschedulable','message':'0/3 nodes are available: 3 Insufficient cpu.'}]}"),
                false);

        assertThat(o)
                .isEqualTo(new Outcome.Pending(
                        "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.", null, null));
    }

    @Test
    void aPodBehindASchedulingGateIsPending() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        "{'schedulingGates':[{'name':'example.com/quota'}],'containers':[{'name':'main'}]}",
                        "{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
                                + "'reason':'SchedulingGated','message':'Scheduling is blocked due to non-empty"
                                + " scheduling gates'}]}"),
                false);

        assertThat(o).isInstanceOfSatisfying(Outcome.Pending.class, p -> {
            assertThat(p.waitingReason()).isEqualTo("SchedulingGated");
            assertThat(p.message()).contains("scheduling gates");
            assertThat(p.rule()).isNull();
        });
    }

    @Test
    void aSidecarStoppedAfterTheMainContainerFailedIsNeverBlamed() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        SIDECAR_SPEC,
                        "{'phase':'Failed','initContainerStatuses':[" + terminated("setup", 0, "Completed") + ","
                                + terminated("proxy", 143, "Error") + "],'containerStatuses':["
                                + terminated("main", 2, "Error") + "]}"),
                false);

        assertThat(o).isEqualTo(new Outcome.Failed(new FailureDetails("Error", null, "main", 2, null, null)));
    }

    @Test
    void aSidecarsExit143AfterTheMainContainerSucceededIsNormal() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        SIDECAR_SPEC,
                        "{'phase':'Failed','initContainerStatuses':[" + terminated("setup", 0, "Completed") + ","
                                + terminated("proxy", 143, "Error") + "],'containerStatuses':["
                                + terminated("main", 0, "Completed") + "]}"),
                false);

        assertThat(o).isEqualTo(new Outcome.Succeeded());
    }

    @Test
    void aSidecarThatFailedOtherwiseStillFailsThePodButTheMainContainerIsNamed() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        SIDECAR_SPEC,
                        "{'phase':'Failed','initContainerStatuses':[" + terminated("setup", 0, "Completed") + ","
                                + terminated("proxy", 1, "Error") + "],'containerStatuses':["
                                + terminated("main", 137, "OOMKilled") + "]}"),
                false);

        assertThat(o)
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        f -> assertThat(f.details().container()).isEqualTo("main"));
    }

    @Test
    void aRunningSidecarIsNotAStuckInitContainer() throws Exception {
        Outcome starting = classifier.classify(
                pod(
                        SIDECAR_SPEC,
                        "{'phase':'Pending','initContainerStatuses':[" + terminated("setup", 0, "Completed") + ","
                                + running("proxy") + "],'containerStatuses':[" + waiting("main", "ContainerCreating")
                                + "]}"),
                false);
        Outcome running = classifier.classify(
                pod(
                        SIDECAR_SPEC,
                        "{'phase':'Running','initContainerStatuses':[" + terminated("setup", 0, "Completed") + ","
                                + running("proxy") + "],'containerStatuses':[" + running("main") + "]}"),
                false);

        assertThat(starting).isEqualTo(new Outcome.Pending("ContainerCreating", null, "main", null));
        assertThat(running).isEqualTo(new Outcome.Running());
    }

    @Test
    void withoutRestartPolicyAlwaysAnInitContainerIsBlamedFirstAsBefore() throws Exception {
        Outcome o = classifier.classify(
                pod(
                        "{'initContainers':[{'name':'proxy'}],'containers':[{'name':'main'}]}",
                        "{'phase':'Failed','initContainerStatuses':[" + terminated("proxy", 143, "Error")
                                + "],'containerStatuses':[" + terminated("main", 2, "Error") + "]}"),
                false);

        assertThat(o).isEqualTo(new Outcome.Failed(new FailureDetails("Error", null, "proxy", 143, null, null)));
    }
}
