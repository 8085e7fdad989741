-- Tries the cluster ended (evicted, node lost, preempted, not admitted) that were tried again on the
-- task's infrastructure budget instead of its retries. Counted here, not in the spec: the budget
-- left survives restarts and takeovers.
ALTER TABLE tasks ADD COLUMN infra_failures INTEGER NOT NULL DEFAULT 0;
