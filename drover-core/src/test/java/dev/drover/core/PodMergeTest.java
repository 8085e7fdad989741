package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PodMergeTest {
    private static JsonNode yaml(String s) throws Exception {
        return PodFactory.YAML.readTree(s);
    }

    @Test
    void containersAreMatchedByNameAndMergedFieldByField() throws Exception {
        JsonNode merged = PodMerge.merge(
                yaml(
                        "spec: {containers: [{name: main, image: a, env: [{name: X, value: '1'}]}, {name: side, image: s}]}"),
                yaml("spec: {containers: [{name: main, env: [{name: Y, value: '2'}]}]}"));

        assertThat(merged.at("/spec/containers").size()).isEqualTo(2);
        assertThat(merged.at("/spec/containers/0/image").asText()).isEqualTo("a");
        assertThat(merged.at("/spec/containers/0/env").toString())
                .isEqualTo("[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"2\"}]");
    }

    @Test
    void aNewNamedItemIsAppended() throws Exception {
        JsonNode merged = PodMerge.merge(
                yaml("spec: {containers: [{name: main, image: a}]}"),
                yaml("spec: {containers: [{name: sidecar, image: b}]}"));

        assertThat(merged.at("/spec/containers/1/name").asText()).isEqualTo("sidecar");
    }

    @Test
    void mapsMergeAndScalarsAreReplaced() throws Exception {
        JsonNode merged = PodMerge.merge(
                yaml("metadata: {labels: {a: '1', b: '2'}}\nspec: {serviceAccountName: x, nodeSelector: {disk: ssd}}"),
                yaml("metadata: {labels: {b: '3', c: '4'}}\nspec: {serviceAccountName: y}"));

        assertThat(merged.at("/metadata/labels").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"3\",\"c\":\"4\"}");
        assertThat(merged.at("/spec/serviceAccountName").asText()).isEqualTo("y");
        assertThat(merged.at("/spec/nodeSelector/disk").asText()).isEqualTo("ssd");
    }

    @Test
    void unnamedListsAreAppendedTo() throws Exception {
        JsonNode merged =
                PodMerge.merge(yaml("spec: {tolerations: [{key: a}]}"), yaml("spec: {tolerations: [{key: b}]}"));

        assertThat(merged.at("/spec/tolerations").size()).isEqualTo(2);
    }

    @Test
    void anExplicitNullRemovesAField() throws Exception {
        JsonNode merged = PodMerge.merge(
                yaml("spec: {nodeSelector: {disk: ssd}, hostNetwork: true}"), yaml("spec: {nodeSelector: null}"));

        assertThat(merged.at("/spec").has("nodeSelector")).isFalse();
        assertThat(merged.at("/spec/hostNetwork").asBoolean()).isTrue();
    }

    @Test
    void theInputsAreLeftUnchanged() throws Exception {
        JsonNode base = yaml("spec: {containers: [{name: main, image: a}]}");
        JsonNode override = yaml("spec: {containers: [{name: main, image: b}]}");
        String before = base.toString();

        PodMerge.merge(base, override);

        assertThat(base.toString()).isEqualTo(before);
    }
}
