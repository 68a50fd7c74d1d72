-- Codes are pruned a day after they expire, a bounded batch whenever a new
-- one is sent (as the daily rate counters are), so codes asked for made-up
-- or unknown phones cannot pile up: by expiry.
CREATE INDEX otps_expires ON otps (expires_at);
