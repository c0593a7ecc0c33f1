-- Indexes for SagaStore.query, which lists sagas newest first by (created_at, id) and pages with a keyset cursor on
-- the same pair. created_at is fixed at insert, so a saga never moves between pages while an operator pages
-- (ordering by updated_at, as V1's comment planned, would move every saga that changes).
--
-- H2 reads an index as sorted only when the ORDER BY starts with the index's first column; the store therefore
-- orders by "type, created_at DESC, id DESC" when it filters on one type (likewise for status), which is the same
-- order, and stops after limit + 1 index entries instead of sorting every match.

-- No filter, the created range, and the cursor: a range on this index, read in page order.
CREATE INDEX baton_saga_created_ix        ON baton_saga (created_at DESC, id DESC);
-- type (with any other filter): equality on the first column, then in page order.
CREATE INDEX baton_saga_type_created_ix   ON baton_saga (type, created_at DESC, id DESC);
-- status (with pendingState, which the engine sets only on PENDING sagas): same shape.
CREATE INDEX baton_saga_status_created_ix ON baton_saga (status, created_at DESC, id DESC);
-- businessKey without a type: the UNIQUE (type, business_key) constraint's index leads with type.
CREATE INDEX baton_saga_business_key_ix   ON baton_saga (business_key);

-- V1's (type, updated_at, id) served a listing by type in update order, which nothing asks for any more; the type
-- index above replaces it. V1's (status, updated_at, id) stays for stuckBefore (status IN (non-terminal) AND
-- updated_at < ?), and (updated_at, id) for the updated range.
DROP INDEX baton_saga_type_ix;
