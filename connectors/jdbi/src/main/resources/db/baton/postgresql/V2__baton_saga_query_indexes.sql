-- Indexes for SagaStore.query (the REST filters), as H2's V2: sagas newest first by (created_at, id), paged with a
-- keyset cursor on the same pair. PostgreSQL reads (type, created_at DESC, id DESC) in page order for
-- "type = ? ORDER BY created_at DESC, id DESC" (and for the store's "ORDER BY type, created_at DESC, id DESC",
-- the same order), stopping after limit + 1 entries.

-- No filter, the created range, and the cursor: a range on this index, read in page order.
CREATE INDEX baton_saga_created_ix        ON baton_saga (created_at DESC, id DESC);
-- type (with any other filter): equality on the first column, then in page order.
CREATE INDEX baton_saga_type_created_ix   ON baton_saga (type, created_at DESC, id DESC);
-- status (with pendingState, which the engine sets only on PENDING sagas): same shape.
CREATE INDEX baton_saga_status_created_ix ON baton_saga (status, created_at DESC, id DESC);
-- businessKey without a type: the UNIQUE (type, business_key) constraint's index leads with type.
CREATE INDEX baton_saga_business_key_ix   ON baton_saga (business_key);

-- V1's (type, updated_at, id) is replaced by the type index above; (status, updated_at, id) stays for stuckBefore,
-- (updated_at, id) for the updated range.
DROP INDEX baton_saga_type_ix;
