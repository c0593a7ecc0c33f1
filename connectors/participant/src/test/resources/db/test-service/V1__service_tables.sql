-- A participant service's own schema, migrated by the service's own Flyway (default history table).
CREATE TABLE customer_payment (order_id VARCHAR(50) PRIMARY KEY, amount_cents BIGINT NOT NULL);
