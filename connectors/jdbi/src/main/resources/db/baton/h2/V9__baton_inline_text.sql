-- Text up to 8,192 characters stays in its row instead of H2's LOB storage. The columns stay CLOB (any length), but
-- every step rewrites the saga's data and execution state and adds and removes outbox rows: kept out of the row,
-- each value meant more pages written at each commit and a LOB removed later by H2's cleaner thread, which commits
-- on its own. The setting is the database's own (persistent) and applies to values written from now on.
SET MAX_LENGTH_INPLACE_LOB 8192;
