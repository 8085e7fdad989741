package dev.drover.kube;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The engine's view of the server: lean objects by key, plus secondary indexes. Only the engine
 * writes; consumers read from any thread.
 */
public final class Store<T extends KubeObject> {
    private final Function<T, String> keyOf;
    private final Map<String, T> objects = new ConcurrentHashMap<>();
    private final Map<String, Function<T, @Nullable String>> indexers;
    private final Map<String, Map<String, Set<String>>> indexes = new ConcurrentHashMap<>();

    Store(Function<T, String> keyOf, Map<String, Function<T, @Nullable String>> indexers) {
        this.keyOf = keyOf;
        this.indexers = Map.copyOf(indexers);
        this.indexers.keySet().forEach(n -> indexes.put(n, new ConcurrentHashMap<>()));
    }

    /** {@code namespace/name}, or {@code name} for cluster-scoped objects. */
    static String namespacedKey(KubeObject o) {
        return o.namespace() == null ? o.name() : o.namespace() + "/" + o.name();
    }

    String keyOf(T object) {
        return keyOf.apply(object);
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    public Collection<T> list() {
        return List.copyOf(objects.values());
    }

    public int size() {
        return objects.size();
    }

    /** Objects whose index {@code indexName} (declared with {@link Informer.Builder#index}) has {@code value}. */
    public List<T> byIndex(String indexName, String value) {
        Map<String, Set<String>> index = indexes.get(indexName);
        if (index == null) {
            throw new IllegalArgumentException("no index named '" + indexName + "'; declared: " + indexers.keySet());
        }
        Set<String> keys = index.get(value);
        return keys == null
                ? List.of()
                : keys.stream().map(objects::get).filter(o -> o != null).toList();
    }

    /** Stores {@code object}; returns what it replaced. */
    T put(T object) {
        String key = keyOf.apply(object);
        T previous = objects.put(key, object);
        if (!indexers.isEmpty()) {
            if (previous != null) {
                unindex(key, previous);
            }
            index(key, object);
        }
        return previous;
    }

    T remove(String key) {
        T previous = objects.remove(key);
        if (previous != null && !indexers.isEmpty()) {
            unindex(key, previous);
        }
        return previous;
    }

    Map<String, T> snapshot() {
        return Map.copyOf(objects);
    }

    private void index(String key, T o) {
        indexers.forEach((name, fn) -> {
            String v = fn.apply(o);
            if (v != null) {
                indexes.get(name)
                        .computeIfAbsent(v, k -> ConcurrentHashMap.newKeySet())
                        .add(key);
            }
        });
    }

    private void unindex(String key, T o) {
        indexers.forEach((name, fn) -> {
            String v = fn.apply(o);
            if (v != null) {
                indexes.get(name).computeIfPresent(v, (k, set) -> {
                    set.remove(key);
                    return set.isEmpty() ? null : set;
                });
            }
        });
    }
}
