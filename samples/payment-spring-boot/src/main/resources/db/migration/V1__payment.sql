-- The payment service's own table. Deliberately no unique key on order_id: the sample's test counts payments
-- captured twice, which a unique key would hide behind an error.
CREATE TABLE payment (
    payment_id   VARCHAR(80)  PRIMARY KEY,
    order_id     VARCHAR(64)  NOT NULL,
    amount_cents BIGINT       NOT NULL,
    status       VARCHAR(20)  NOT NULL,
    message_id   VARCHAR(255) NOT NULL,
    captured_at  TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX payment_order ON payment (order_id);
