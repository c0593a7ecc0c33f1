-- The payment service's own table; the SDK's tables come from the SDK's published H2 script (spring.sql.init).
CREATE TABLE payment (
    message_id   VARCHAR(255) PRIMARY KEY,
    order_id     VARCHAR(100) NOT NULL,
    amount_cents BIGINT       NOT NULL,
    status       VARCHAR(20)  NOT NULL
);
