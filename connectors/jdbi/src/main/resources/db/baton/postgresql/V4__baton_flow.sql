-- Flow control per participant. A TIMEOUT timer names the participant whose answer it waits for (a command in
-- flight there); a WAIT timer the participant whose capacity its command waits for. Counting both per participant
-- is how every engine node learns what is in flight and waiting, whichever node sent or queued it.
ALTER TABLE baton_timer ADD COLUMN participant VARCHAR(255) COLLATE "C";
CREATE INDEX baton_timer_flow_ix ON baton_timer (participant, kind, fire_at);

-- The shared state of a participant's flow control: its concurrency limit (across all nodes), running totals of
-- the outcomes every node reports, and the node that holds the lease on adjusting the limit and releasing the
-- waiting commands.
CREATE TABLE baton_flow (
    participant VARCHAR(255) COLLATE "C"    NOT NULL,
    limit_value DOUBLE PRECISION            NOT NULL,
    answered    BIGINT                      NOT NULL,
    busy        BIGINT                      NOT NULL,
    timed_out   BIGINT                      NOT NULL,
    leader      VARCHAR(255) COLLATE "C",
    lease_until TIMESTAMP(6) WITH TIME ZONE,
    updated_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT baton_flow_pk PRIMARY KEY (participant)
);
