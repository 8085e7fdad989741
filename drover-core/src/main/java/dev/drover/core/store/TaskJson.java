package dev.drover.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.drover.core.FailureDetails;
import dev.drover.core.TaskSpec;

/** How a spec and failure details are written in the store's JSON columns. */
final class TaskJson {
    // ISO-8601 durations ("PT10S") read well in the database; unknown fields are ignored so an
    // older Drover can read rows written by a newer one.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private TaskJson() {}

    static String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static TaskSpec spec(String json) {
        return read(json, TaskSpec.class);
    }

    /**
     * The {@code labels} of a stored spec, read without building the spec (the V7 backfill reads
     * specs written by every earlier version). None: empty.
     */
    static java.util.Map<String, String> labels(String specJson) {
        try {
            com.fasterxml.jackson.databind.JsonNode labels =
                    MAPPER.readTree(specJson).path("labels");
            java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
            labels.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored TaskSpec is not readable: " + e.getMessage(), e);
        }
    }

    static FailureDetails failure(String json) {
        return read(json, FailureDetails.class);
    }

    private static <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "stored " + type.getSimpleName() + " is not readable: " + e.getMessage(), e);
        }
    }
}
