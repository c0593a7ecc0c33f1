-- Leases for several engine nodes (SagaStore.leaseDueTimers / leaseOutbox): when a node's lease on a due timer or an
-- unacknowledged outbox row ends. NULL = not leased. A lease only spreads work among nodes; firing a timer still
-- claims it by deleting it (one winner), and participants drop re-sent commands. Setting a timer clears its lease.
ALTER TABLE baton_timer ADD COLUMN lease_until TIMESTAMP(6) WITH TIME ZONE;
ALTER TABLE baton_outbox ADD COLUMN lease_until TIMESTAMP(6) WITH TIME ZONE;
