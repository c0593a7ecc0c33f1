-- Bounded history (HistoryFolding): entries a park or retry cycle repeats (a command re-sent, a busy answer, a
-- time-out, parked, resumed...) are kept for the newest few per saga and step; older ones are deleted from
-- baton_history and counted here, per saga, step ('' when the entry named none) and kind, with the time of the first
-- and the last. Written in the saga's transaction, deleted with the saga.
CREATE TABLE baton_history_fold (
    saga_id  VARCHAR(64)                 NOT NULL,
    step     VARCHAR(255)                NOT NULL,
    kind     VARCHAR(64)                 NOT NULL,
    folded   BIGINT                      NOT NULL,
    first_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    last_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT baton_history_fold_pk PRIMARY KEY (saga_id, step, kind)
);
