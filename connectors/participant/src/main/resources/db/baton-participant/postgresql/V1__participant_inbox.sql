-- Baton participant SDK on PostgreSQL: the idempotency record of every command a participant answered with a final
-- outcome, and per saga step the facts the compensation guard needs. Lives in the participant service's own
-- database, next to its tables; Flyway history table: baton_participant_schema_history. The same tables as the H2
-- script, in PostgreSQL's types: keep the two in step.

-- One row per (participant, command message id) answered SUCCESS or FAILURE, written in the same transaction as
-- the handler's own changes. A redelivery is answered from this row. RETRY_LATER answers are never stored.
CREATE TABLE baton_participant_inbox (
    participant     VARCHAR(100)  NOT NULL,
    message_id      VARCHAR(255)  NOT NULL,
    saga_id         VARCHAR(255)  NOT NULL,
    step            VARCHAR(255)  NOT NULL,
    kind            VARCHAR(16)   NOT NULL,   -- command | compensation
    message_type    VARCHAR(255)  NOT NULL,   -- the command's wire name
    outcome         VARCHAR(16)   NOT NULL,   -- SUCCESS | FAILURE
    disposition     VARCHAR(40)   NOT NULL,   -- HANDLED | NOTHING_TO_COMPENSATE | REFUSED_AFTER_COMPENSATION | ALREADY_DONE
    reply_type      VARCHAR(255),             -- the reply payload's wire name; null without a payload
    reply_payload   TEXT,                     -- the reply payload (JSON) exactly as first sent
    reason          VARCHAR(2000),
    handled_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT baton_participant_inbox_pk PRIMARY KEY (participant, message_id)
);

CREATE INDEX baton_participant_inbox_handled_at ON baton_participant_inbox (handled_at);

-- One row per (participant, saga, step) the participant received a command or compensation for. Every message of a
-- step locks its row (SELECT ... FOR UPDATE) for the length of its transaction, which serialises the deliveries of one
-- step: two copies of one message, or a compensation racing its own forward command.
CREATE TABLE baton_participant_step (
    participant              VARCHAR(100)  NOT NULL,
    saga_id                  VARCHAR(255)  NOT NULL,
    step                     VARCHAR(255)  NOT NULL,
    forward_message_id       VARCHAR(255),            -- the forward invocation that took effect (SUCCESS); null if none did
    compensation_state       VARCHAR(16)   NOT NULL,  -- NONE | FAILED (answered FAILURE so far) | DONE (answered SUCCESS)
    compensation_message_id  VARCHAR(255),            -- the compensation that set compensation_state
    updated_at               TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT baton_participant_step_pk PRIMARY KEY (participant, saga_id, step)
);

CREATE INDEX baton_participant_step_updated_at ON baton_participant_step (updated_at);
