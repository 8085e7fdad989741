package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Templates and overrides are checked as strictly as {@code kubectl apply}: the path of a fault, and the fix. */
class PodSchemaTest {
    private static TaskSpec.Builder task() {
        return TaskSpec.builder("t").image("busybox:1.36");
    }

    @Test
    void anUnknownFieldInAnOverrideIsRefusedWithItsPathAndTheFieldMeant() {
        assertThatThrownBy(() -> task().podOverride("spec: {containers: [{name: main, envv: [{name: A, value: b}]}]}")
                        .build())
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("podOverride.spec.containers[0].envv: unknown field; did you mean env?")
                .extracting(e -> ((InvalidTaskException) e).field())
                .isEqualTo("podOverride.spec.containers[0].envv");
    }

    @Test
    void anUnknownFieldInATemplateNamesTheTemplate() {
        assertThatThrownBy(() -> task().podTemplate("apiVersion: v1\nkind: Pod\nspec:\n  nodeSelectr: {disk: ssd}\n")
                        .build())
                .hasMessage("podTemplate.spec.nodeSelectr: unknown field; did you mean nodeSelector?");
    }

    @Test
    void aDeploymentIsNotAPodTemplate() {
        assertThatThrownBy(() -> task().podTemplate("""
                        apiVersion: apps/v1
                        kind: Deployment
                        spec:
                          template:
                            spec:
                              containers: [{name: main, image: busybox}]
                        """).build())
                .hasMessage("podTemplate.kind: Deployment is not a pod; give a Pod, a PodTemplate or a pod spec"
                        + " (a Deployment's pods are its spec.template)");
    }

    @Test
    void aValueOfTheWrongKindIsRefused() {
        assertThatThrownBy(() -> task().podOverride("spec: {containers: [{name: main, command: echo}]}")
                        .build())
                .hasMessage("podOverride.spec.containers[0].command: must be a list, not a string");
        assertThatThrownBy(() ->
                        task().podOverride("spec: {containers: {name: main}}").build())
                .hasMessage("podOverride.spec.containers: must be a list, not a map");
    }

    @Test
    void everyShapeOfTemplateDroverTakesIsCheckedAndValidOnesPass() {
        assertThatCode(() -> task().podTemplate("""
                        apiVersion: v1
                        kind: PodTemplate
                        template:
                          metadata: {labels: {team: data}}
                          spec:
                            serviceAccountName: runner
                            tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
                            containers: [{name: main, resources: {limits: {memory: 1Gi, cpu: 2}}, ports: [{containerPort: 80}]}]
                        """).build()).doesNotThrowAnyException();
        assertThatCode(() -> task().podTemplate("containers: [{name: main, image: busybox}]")
                        .build())
                .doesNotThrowAnyException();
        assertThatCode(() -> task().podOverride("metadata: {annotations: {a: b}}\nspec: {activeDeadlineSeconds: 60}")
                        .build())
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> task().podTemplate("containers: [{name: main, imagePullPolicy: Always, imag: x}]")
                        .build())
                .hasMessage("podTemplate.containers[0].imag: unknown field; did you mean image?");
    }

    @Test
    void aNullInAnOverrideRemovesAFieldAndIsNotAFault() {
        assertThatCode(() -> task().podTemplate("spec: {nodeSelector: {disk: ssd}, containers: [{name: main}]}")
                        .podOverride("spec: {nodeSelector: null}")
                        .build())
                .doesNotThrowAnyException();
    }
}
