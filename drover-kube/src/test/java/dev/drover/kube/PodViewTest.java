package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import org.junit.jupiter.api.Test;

/** The lean pod projection: which init containers are sidecars, and why the scheduler has not placed a pod. */
class PodViewTest {
    private static PodView decode(String json) throws Exception {
        try (JsonParser p = new JsonFactory().createParser(json.replace('\'', '"'))) {
            p.nextToken();
            return PodView.PROJECTION.decode(p);
        }
    }

    @Test
    void initContainersWithRestartPolicyAlwaysAreSidecars() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},"
                + "'spec':{'initContainers':[{'name':'setup','image':'busybox','command':['sh']},"
                + "{'name':'proxy','image':'envoy','restartPolicy':'Always','env':[{'name':'A','value':'b'}]}],"
                + "'containers':[{'name':'main','image':'app'}]},'status':{'phase':'Running'}}");

        assertThat(p.sidecars()).containsExactly("proxy");
        assertThat(p.isSidecar("proxy")).isTrue();
        assertThat(p.isSidecar("setup")).isFalse();
        assertThat(p.isSidecar("main")).isFalse();
    }

    @Test
    void aPodWithoutInitContainersHasNoSidecars() throws Exception {
        assertThat(decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'spec':{}}")
                        .sidecars())
                .isEmpty();
    }

    @Test
    void thePodScheduledConditionWhileFalseGivesTheSchedulersReasonAndMessage() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'status':{'phase':'Pending',"
                + "'conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable',"
                + "'message':'0/3 nodes are available: 3 Insufficient cpu.','lastTransitionTime':null}]}}");

        assertThat(p.notScheduledReason()).isEqualTo("Unschedulable");
        assertThat(p.notScheduledMessage()).isEqualTo("0/3 nodes are available: 3 Insufficient cpu.");
    }

    @Test
    void aScheduledPodHasNoSchedulingReason() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'status':{'phase':'Running',"
                + "'conditions':[{'type':'Ready','status':'False','reason':'ContainersNotReady'},"
                + "{'type':'PodScheduled','status':'True'}]}}");

        assertThat(p.notScheduledReason()).isNull();
        assertThat(p.notScheduledMessage()).isNull();
    }

    @Test
    void aSchedulingGateShowsAsSchedulingGated() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'spec':{'schedulingGates':"
                + "[{'name':'example.com/quota'}]},'status':{'phase':'Pending','conditions':[{'type':'PodScheduled',"
                + "'status':'False','reason':'SchedulingGated','message':'Scheduling is blocked due to non-empty"
                + " scheduling gates'}]}}");

        assertThat(p.notScheduledReason()).isEqualTo("SchedulingGated");
    }

    @Test
    void theDisruptionTargetConditionWhileTrueSaysWhoEndsThePod() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'status':{'phase':'Running',"
                + "'conditions':[{'type':'Ready','status':'True'},{'type':'DisruptionTarget','status':'True',"
                + "'reason':'PreemptionByScheduler','message':'Kubernetes default scheduler: preempting to"
                + " accommodate a higher priority pod'}]}}");

        assertThat(p.disruptionReason()).isEqualTo("PreemptionByScheduler");
        assertThat(p.disruptionMessage()).startsWith("Kubernetes default scheduler: preempting");
    }

    @Test
    void aDisruptionTargetConditionThatIsNotTrueIsNoDisruption() throws Exception {
        PodView p = decode("{'metadata':{'name':'p','uid':'u','resourceVersion':'1'},'status':{'phase':'Running',"
                + "'conditions':[{'type':'DisruptionTarget','status':'False','reason':'EvictionByEvictionAPI'}]}}");

        assertThat(p.disruptionReason()).isNull();
        assertThat(p.disruptionMessage()).isNull();
    }
}
