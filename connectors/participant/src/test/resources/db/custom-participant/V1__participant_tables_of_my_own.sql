-- A team's own copy of the SDK's tables, as a custom StoreDialect points to it; plus a marker to prove it ran.
CREATE TABLE baton_participant_inbox (
    participant VARCHAR(100) NOT NULL, message_id VARCHAR(255) NOT NULL, saga_id VARCHAR(255) NOT NULL,
    step VARCHAR(255) NOT NULL, kind VARCHAR(16) NOT NULL, message_type VARCHAR(255) NOT NULL,
    outcome VARCHAR(16) NOT NULL, disposition VARCHAR(40) NOT NULL, reply_type VARCHAR(255),
    reply_payload CHARACTER LARGE OBJECT, reason VARCHAR(2000), handled_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (participant, message_id));
CREATE TABLE baton_participant_step (
    participant VARCHAR(100) NOT NULL, saga_id VARCHAR(255) NOT NULL, step VARCHAR(255) NOT NULL,
    forward_message_id VARCHAR(255), compensation_state VARCHAR(16) NOT NULL, compensation_message_id VARCHAR(255),
    updated_at TIMESTAMP(6) WITH TIME ZONE NOT NULL, PRIMARY KEY (participant, saga_id, step));
CREATE TABLE custom_dialect_marker (id INT PRIMARY KEY);
