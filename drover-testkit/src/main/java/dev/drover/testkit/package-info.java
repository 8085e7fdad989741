/**
 * The test ground: a real etcd and kube-apiserver v1.20.2 on loopback, for tests, benchmarks and
 * the demo. No mocks: what Drover says about Kubernetes is checked against this apiserver.
 *
 * <p>Entry points: {@link dev.drover.testkit.TestGround} (start, stop, knobs: restart, freeze,
 * etcd compaction, inflight limits, a throttling admission webhook), the JUnit annotation {@link
 * dev.drover.testkit.KubernetesTest} (one shared ground per test JVM, a fresh namespace per test),
 * restricted users ({@link dev.drover.testkit.TestUser}), dropped connections ({@link
 * dev.drover.testkit.TcpProxy}), and {@link
 * dev.drover.testkit.PostgresServer}. Never used by production code.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.testkit;

import org.jspecify.annotations.NullMarked;
