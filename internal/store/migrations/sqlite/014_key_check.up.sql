-- The key check value of the master key personal data is sealed under: a
-- keyed hash of a fixed label (never the key), recorded at first start, so a
-- process started with another key refuses to start instead of failing
-- later on every sealed value. One row.
CREATE TABLE key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    check_value TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
