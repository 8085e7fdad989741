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

    // --- tries the cluster ended: retried on the infrastructure budget, not the task's retries

    private static final String MAIN = "{'containers':[{'name':'main','image':'app'}]}";

    private static String disruption(String reason, String message) {
        return "{'type':'DisruptionTarget','status':'True','reason':'" + reason + "','message':'" + message + "'}";
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> endedByTheCluster() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(
                        "evicted by the kubelet",
                        "{'phase':'Failed','reason':'Evicted','message':'The node was low on resource: memory. ',"
                                + "'containerStatuses':[" + terminated("main", 137, "Error") + "]}",
                        "Evicted",
                        "the node: Evicted (The node was low on resource: memory.)"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "node lost",
                        "{'phase':'Failed','reason':'NodeLost','message':'Node n1 which was running pod p is"
                                + " unresponsive'}",
                        "NodeLost",
                        "the node: NodeLost (Node n1 which was running pod p is unresponsive)"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "not admitted by the kubelet",
                        "{'phase':'Failed','reason':'UnexpectedAdmissionError','message':'Allocate failed due to"
                                + " no healthy devices present'}",
                        "UnexpectedAdmissionError",
                        "the node: UnexpectedAdmissionError (Allocate failed due to no healthy devices present)"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "preempted by the scheduler",
                        "{'phase':'Failed','conditions':["
                                + disruption(
                                        "PreemptionByScheduler",
                                        "Kubernetes default scheduler: preempting to accommodate a higher priority pod")
                                + "],'containerStatuses':[" + terminated("main", 137, "Error") + "]}",
                        "PreemptionByScheduler",
                        "the cluster: PreemptionByScheduler (Kubernetes default scheduler: preempting to accommodate"
                                + " a higher priority pod)"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "its node tainted away",
                        "{'phase':'Failed','conditions':["
                                + disruption("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
                                + "]}",
                        "DeletionByTaintManager",
                        "the cluster: DeletionByTaintManager (Taint manager: deleting due to NoExecute taint)"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "its node gone, collected by the pod GC",
                        "{'phase':'Failed','conditions':["
                                + disruption("DeletionByPodGC", "PodGC: node no longer exists")
                                + "]}",
                        "DeletionByPodGC",
                        "the cluster: DeletionByPodGC (PodGC: node no longer exists)"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("endedByTheCluster")
    void aTryTheClusterEndedSaysWhoEndedItAndWhy(String what, String status, String reason, String endedBy)
            throws Exception {
        Outcome o = classifier.classify(pod(MAIN, status), false);

        assertThat(o).isInstanceOf(Outcome.Failed.class);
        Outcome.Failed f = (Outcome.Failed) o;
        assertThat(f.details().reason()).isEqualTo(reason);
        assertThat(f.endedBy()).isEqualTo(endedBy);
    }

    @Test
    void aPreemptedPodsDetailsKeepTheKilledContainer() throws Exception {
        Outcome.Failed f = (Outcome.Failed) classifier.classify(
                pod(
                        MAIN,
                        "{'phase':'Failed','conditions':[" + disruption("PreemptionByScheduler", "preempted")
                                + "],'containerStatuses':[" + terminated("main", 137, "Error") + "]}"),
                false);

        assertThat(f.details().container()).isEqualTo("main");
        assertThat(f.details().exitCode()).isEqualTo(137);
    }

    @Test
    void aPodDeletedWhileRunningWithADisruptionTargetWasEndedByTheCluster() throws Exception {
        String json = "{'metadata':{'name':'p','namespace':'ns','uid':'u','resourceVersion':'1',"
                + "'deletionTimestamp':'2030-01-01T00:00:00Z'},'spec':" + MAIN + ",'status':{'phase':'Running',"
                + "'conditions':[" + disruption("EvictionByEvictionAPI", "Eviction API: evicting") + "]}}";
        PodView pod;
        try (JsonParser p = new JsonFactory().createParser(json.replace('\'', '"'))) {
            p.nextToken();
            pod = PodView.PROJECTION.decode(p);
        }

        Outcome.Failed f = (Outcome.Failed) classifier.classify(pod, true);

        assertThat(f.details().reason()).isEqualTo("DeletedBeforeCompletion");
        assertThat(f.endedBy()).isEqualTo("the cluster: EvictionByEvictionAPI (Eviction API: evicting)");
    }

    @Test
    void aFailureOfTheWorkIsNotTheClusters() throws Exception {
        Outcome.Failed exited = (Outcome.Failed) classifier.classify(
                pod(MAIN, "{'phase':'Failed','containerStatuses':[" + terminated("main", 3, "Error") + "]}"), false);
        Outcome.Failed deadline = (Outcome.Failed) classifier.classify(
                pod(MAIN, "{'phase':'Failed','reason':'DeadlineExceeded','message':'Pod was active too long'}"), false);
        Outcome.Failed notADisruption = (Outcome.Failed) classifier.classify(
                pod(
                        MAIN,
                        "{'phase':'Failed','conditions':[{'type':'DisruptionTarget','status':'False'}],"
                                + "'containerStatuses':[" + terminated("main", 1, "Error") + "]}"),
                false);

        assertThat(exited.endedBy()).isNull();
        assertThat(deadline.endedBy()).isNull();
        assertThat(notADisruption.endedBy()).isNull();
    }
}
