package dev.drover.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocking work beside the inbox's worker (cleanup writes, log tails, pod look-ups), at most
 * {@code max} at once on virtual threads, so a slow kubelet or apiserver never holds up pod news.
 */
final class Background implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Background.class);
    private final String name;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;

    Background(String name, int max) {
        this.name = name;
        this.slots = new Semaphore(max);
    }

    void run(Runnable work) {
        threads.submit(() -> {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                log.error("{}: background work failed", name, e);
            } finally {
                slots.release();
            }
        });
    }

    /** Lets started work finish for up to {@code grace}. */
    void close(Duration grace) {
        threads.shutdown();
        try {
            threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
