-- The cluster a task belongs to (its submitter's): a worker claims only its own cluster's tasks,
-- and tasks stored before this column ('') are anyone's. The claim walks each (state, cluster)
-- oldest first, so the cluster leads the index after the state.
ALTER TABLE tasks ADD COLUMN cluster VARCHAR(253) NOT NULL DEFAULT '';
DROP INDEX tasks_claim;
CREATE INDEX tasks_claim ON tasks (state, cluster, created_at, seq);
