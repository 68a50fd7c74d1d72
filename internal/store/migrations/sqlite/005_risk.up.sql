-- The risk-decision engine: velocity observations, the contact index,
-- stored decisions with their feedback, and policy versions. Values that
-- identify people (ID numbers, phones, devices, IPs, cards) are stored only
-- as vault keyed hashes. Times are Unix milliseconds (UTC). List entries
-- live in risk_list_entries (003_loans).

-- One row per scored event and velocity dimension (id, phone, device, ip,
-- card). other_hash is the second value of the distinct counts: the phone
-- on an id row (distinct phones per ID number), the ID number on a device
-- row (distinct ID numbers per device), '' otherwise. ord is the row's
-- place among its key's observations (risk_counter_keys.seen).
CREATE TABLE risk_velocity_events (
    dim        TEXT NOT NULL,
    key_hash   TEXT NOT NULL,
    at         BIGINT NOT NULL,                   -- the event's event_time
    other_hash TEXT NOT NULL DEFAULT '',
    ord        BIGINT NOT NULL
);
-- Every window count is a range scan of one key ending at the event time.
CREATE INDEX risk_velocity_events_key ON risk_velocity_events (dim, key_hash, at);
-- Pruning drops events older than the longest window.
CREATE INDEX risk_velocity_events_at ON risk_velocity_events (at);

-- One row per counted key (velocity dimensions and contact phones). An
-- observation increments its keys' seen and stores its rows with the
-- value it got (ord) in the same statement, so every row with a smaller
-- ord is committed before it; it then counts the rows up to its own ord.
-- Two simultaneous applications therefore never both miss each other, and
-- no lock is held across round trips (exact counts without advisory
-- locks, and without hot keys such as a carrier NAT address serialising
-- every decision).
CREATE TABLE risk_counter_keys (
    dim      TEXT NOT NULL,                       -- id | phone | device | ip | card | contact
    key_hash TEXT NOT NULL,
    seen     BIGINT NOT NULL,                     -- observations ever
    last_at  BIGINT NOT NULL,
    PRIMARY KEY (dim, key_hash)
);

-- Applicants (by ID number hash) listing a contact phone (by hash): the
-- fraud-ring count is the number of other applicants per phone.
CREATE TABLE risk_contact_links (
    phone_hash     TEXT NOT NULL,
    applicant_hash TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    ord            BIGINT NOT NULL,                -- as in risk_velocity_events
    PRIMARY KEY (phone_hash, applicant_hash)
);

-- Every decision with every feature value it used (record: risk.Record as
-- JSON), so it can be explained and replayed.
CREATE TABLE risk_decisions (
    sequence_id    TEXT PRIMARY KEY,
    source         TEXT NOT NULL,                 -- api | loan
    partner_id     TEXT NOT NULL DEFAULT '',
    order_id       TEXT NOT NULL DEFAULT '',
    event_type     TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    final_decision TEXT NOT NULL,                 -- Accept | Review | Reject
    final_score    INTEGER NOT NULL,
    record         TEXT NOT NULL,
    event_at       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX risk_decisions_created ON risk_decisions (created_at, sequence_id);

-- What the lender did with a decision and how the loan ended. One row per
-- outcome, so re-sending the same feedback is harmless.
CREATE TABLE risk_feedback (
    sequence_id TEXT NOT NULL REFERENCES risk_decisions(sequence_id),
    outcome     TEXT NOT NULL,                    -- accept | decline | repaid | defaulted
    at          BIGINT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sequence_id, outcome)
);

-- Policy versions. The active one is the most recently activated; servers
-- poll it and hot-swap.
CREATE TABLE risk_policies (
    version      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    source       TEXT NOT NULL,                   -- the YAML document
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    activated_at BIGINT NOT NULL DEFAULT 0        -- 0: never active
);
CREATE INDEX risk_policies_activated ON risk_policies (activated_at);
