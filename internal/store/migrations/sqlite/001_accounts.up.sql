-- Borrowers, their sessions and one-time codes, profile, contacts, work,
-- bank cards; reference dictionaries; the message centre; the SMS outbox
-- of the sandbox provider; stored files. Times are Unix milliseconds (UTC).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    phone         TEXT NOT NULL UNIQUE,          -- E.164 digits without '+', e.g. 2347068425023
    calling_code  INTEGER NOT NULL,
    mobile        TEXT NOT NULL,                 -- national significant number, e.g. 7068425023
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,                -- hex SHA-256 of the bearer token
    user_id     BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE otps (
    id          INTEGER PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,                   -- HMAC-SHA256 of phone, purpose and code
    attempts    INTEGER NOT NULL DEFAULT 0,
    ip          TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    verified_at BIGINT,
    consumed_at BIGINT
);
CREATE INDEX otps_phone ON otps (phone, created_at);
CREATE INDEX otps_ip ON otps (ip, created_at);

CREATE TABLE profiles (
    user_id        BIGINT PRIMARY KEY REFERENCES users(id),
    first_name     TEXT NOT NULL,
    middle_name    TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL,
    gender         TEXT NOT NULL,
    birth_date     TEXT NOT NULL,                 -- YYYY-MM-DD
    email          TEXT NOT NULL DEFAULT '',
    marital_status TEXT NOT NULL,
    education      TEXT NOT NULL,
    id_type        TEXT NOT NULL,
    id_country     TEXT NOT NULL,
    id_number_enc  BLOB NOT NULL,                -- AES-256-GCM
    id_number_hash TEXT NOT NULL,                 -- keyed hash for look-ups
    id_number_mask TEXT NOT NULL,
    id_valid_date  TEXT NOT NULL DEFAULT '',
    nationality    TEXT NOT NULL,
    state          TEXT NOT NULL,
    city_code      TEXT NOT NULL,
    address        TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX profiles_id_number ON profiles (id_number_hash);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,                   -- E.164 digits
    relationship TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (user_id, phone)
);
CREATE INDEX contacts_phone ON contacts (phone);

CREATE TABLE work_infos (
    user_id         BIGINT PRIMARY KEY REFERENCES users(id),
    company_name    TEXT NOT NULL,
    company_phone   TEXT NOT NULL,
    company_address TEXT NOT NULL,
    profession      TEXT NOT NULL,
    income_code     TEXT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE banks (
    code     TEXT PRIMARY KEY,                    -- CBN bank code, e.g. 058
    name     TEXT NOT NULL,
    country  TEXT NOT NULL,
    nuban    INTEGER NOT NULL,                    -- account numbers carry a NUBAN check digit
    position INTEGER NOT NULL
);

CREATE TABLE bank_cards (
    id               INTEGER PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id),
    bank_code        TEXT NOT NULL REFERENCES banks(code),
    account_enc      BLOB NOT NULL,
    account_hash     TEXT NOT NULL,
    account_mask     TEXT NOT NULL,
    account_name     TEXT NOT NULL DEFAULT '',
    pan_enc          BLOB,
    pan_mask         TEXT NOT NULL DEFAULT '',
    is_default       INTEGER NOT NULL DEFAULT 0,
    verify_amount    BIGINT,                      -- micro-deposit in minor units
    verify_sent_at   BIGINT,
    verify_attempts  INTEGER NOT NULL DEFAULT 0,
    verified_at      BIGINT,
    recipient_code   TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    UNIQUE (user_id, account_hash)
);
CREATE UNIQUE INDEX bank_cards_one_default ON bank_cards (user_id) WHERE is_default = 1;
CREATE INDEX bank_cards_account ON bank_cards (account_hash);

CREATE TABLE cities (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    state    TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE income_bands (
    code      TEXT PRIMARY KEY,
    label     TEXT NOT NULL,
    min_minor BIGINT NOT NULL,
    max_minor BIGINT NOT NULL,                    -- 0 means no upper bound
    position  INTEGER NOT NULL
);

CREATE TABLE support_questions (
    id       INTEGER PRIMARY KEY,
    question TEXT NOT NULL UNIQUE,
    answer   TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE support_phones (
    phone    TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    read_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_user ON messages (user_id, id);

CREATE TABLE sms_outbox (
    id         INTEGER PRIMARY KEY,
    phone      TEXT NOT NULL,
    body       TEXT NOT NULL,
    provider   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sms_outbox_phone ON sms_outbox (phone, id);

CREATE TABLE payment_recipients (
    code         TEXT PRIMARY KEY,                -- provider's recipient code
    provider     TEXT NOT NULL,
    bank_code    TEXT NOT NULL,
    account_hash TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_recipients_account ON payment_recipients (provider, bank_code, account_hash);

-- Daily counters for rate limits (codes per phone and IP, failed logins).
-- Bumped with an upsert that locks the row, which serialises concurrent
-- requests for one key on both engines.
CREATE TABLE rate_counters (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    day   TEXT NOT NULL,                          -- YYYY-MM-DD (UTC)
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, key, day)
);
