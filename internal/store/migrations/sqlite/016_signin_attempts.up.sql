-- Failed console sign-ins keyed by the e-mail typed, whether or not a
-- staff member has it, so the lockout answers alike for known and unknown
-- e-mails and creates no staff row. A row lives for one lockout window:
-- each attempt prunes rows whose window has ended, so the table holds at
-- most the attempts of one window. (The staff row's failures and
-- failures_since columns are no longer used.)
CREATE TABLE signin_attempts (
    scope    TEXT NOT NULL,                       -- 'staff'
    key      TEXT NOT NULL,                       -- the normalised e-mail
    failures INTEGER NOT NULL,                    -- attempts in the window
    since    BIGINT NOT NULL,                     -- window start, Unix ms
    PRIMARY KEY (scope, key)
);
CREATE INDEX signin_attempts_since ON signin_attempts (since);

-- The daily rate counters of past days are pruned as new ones are claimed
-- (codes per phone and IP, failed logins, for any phone typed): by day.
CREATE INDEX rate_counters_day ON rate_counters (day);
