-- A timer is one per saga, kind and step (was: per saga and kind), so that the branches of a parallel group can
-- each wait for their own reply, re-send and capacity. Every timer the engine sets names its step; a timer written
-- without one keeps the empty step.
ALTER TABLE baton_timer DROP CONSTRAINT baton_timer_pk;
UPDATE baton_timer SET step = '' WHERE step IS NULL;
ALTER TABLE baton_timer ALTER COLUMN step SET NOT NULL;
ALTER TABLE baton_timer ADD CONSTRAINT baton_timer_pk PRIMARY KEY (saga_id, kind, step);
