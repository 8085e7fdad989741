package dev.drover.core;

import dev.drover.core.store.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every call of a {@link TaskStore} ({@code drover.store.latency}, tagged by operation: the
 * method's name, and by outcome). A proxy rather than a hand-written decorator: the store's
 * interface grows, and a method added there is timed without anyone remembering to.
 */
final class StoreMetrics {
    /** Calls that do not reach the database. */
    private static final Set<String> UNTIMED = Set.of("logs", "close");

    private StoreMetrics() {}

    static TaskStore timed(TaskStore store, MeterRegistry registry) {
        Map<String, Timer> timers = new ConcurrentHashMap<>();
        return (TaskStore) Proxy.newProxyInstance(
                TaskStore.class.getClassLoader(), new Class<?>[] {TaskStore.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || UNTIMED.contains(method.getName())) {
                        return invoke(store, method, args);
                    }
                    long start = System.nanoTime();
                    String outcome = "error";
                    try {
                        Object result = invoke(store, method, args);
                        outcome = "ok";
                        return result;
                    } finally {
                        timers.computeIfAbsent(
                                        method.getName() + " " + outcome,
                                        k -> Timer.builder("drover.store.latency")
                                                .description("Calls of the task store, by operation (its Java method)"
                                                        + " and outcome (ok, error)")
                                                .tag("operation", method.getName())
                                                .tag("outcome", k.substring(k.indexOf(' ') + 1))
                                                .register(registry))
                                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                });
    }

    private static Object invoke(TaskStore store, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the store's own exception, as callers expect it
        }
    }
}
