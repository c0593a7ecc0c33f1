-- A history entry about a message keeps it (SagaEngineBuilder#historyPayloads): the command of COMMAND_SENT and
-- COMPENSATION_SENT, the reply of REPLY_RECEIVED, as the codec wrote them. Null for every other entry, for rows
-- written before this version, and when the engine keeps no payloads.
ALTER TABLE baton_history ADD COLUMN payload TEXT;
