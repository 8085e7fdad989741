-- The scheduler asks for open cancel requests every tick: an index seek on (TRUE, state), not a
-- scan of every task ever run.
CREATE INDEX tasks_cancel ON tasks (cancel_requested, state);
