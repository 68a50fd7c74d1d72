-- The risk engine's decision on each application (risk_decisions.sequence_id;
-- empty for loans decided before the engine was wired in), and when the
-- borrower consented to the app sending a device fingerprint with it
-- (milliseconds; 0 = no consent, and no fingerprint was used).
ALTER TABLE loans ADD COLUMN risk_sequence_id TEXT NOT NULL DEFAULT '';
ALTER TABLE loans ADD COLUMN device_consent_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX loans_risk_sequence ON loans (risk_sequence_id) WHERE risk_sequence_id <> '';
