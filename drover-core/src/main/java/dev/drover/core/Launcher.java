package dev.drover.core;

/** Creates a task's pod and sorts the answer ({@link PodLauncher} on the apiserver). */
interface Launcher {
    /** Never throws for an answer of the apiserver: each is a {@link LaunchResult}. */
    LaunchResult launch(Task task);
}
