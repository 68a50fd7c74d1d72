package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"creditpocket/internal/page"
	"creditpocket/internal/staff"
)

// Staff adapts the DB to staff.Store: console accounts, sessions, review
// claims and the audit log (migration 007_staff).
func (db *DB) Staff() staff.Store { return staffStore{db} }

type staffStore struct{ db *DB }

var _ staff.Store = staffStore{}

const staffColumns = `id, email, role, password_hash, totp_sealed, last_totp_step, created_at, created_by, disabled_at`

func scanStaff(r Scanner) (staff.Staff, error) {
	var s staff.Staff
	var role string
	var created int64
	var disabled sql.NullInt64
	err := r.Scan(&s.ID, &s.Email, &role, &s.PasswordHash, &s.TOTPSealed, &s.LastTOTPStep, &created, &s.CreatedBy, &disabled)
	s.Role = staff.Role(role)
	s.CreatedAt, s.DisabledAt = FromMillis(created), FromNullMillis(disabled)
	return s, err
}

func (s staffStore) CreateStaff(ctx context.Context, st *staff.Staff) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		return translate(t.QueryRow(ctx, `INSERT INTO staff (email, role, password_hash, totp_sealed, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			st.Email, string(st.Role), st.PasswordHash, st.TOTPSealed, Millis(st.CreatedAt), st.CreatedBy).Scan(&st.ID))
	})
}

func (s staffStore) StaffByEmail(ctx context.Context, email string) (*staff.Staff, error) {
	var st staff.Staff
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		st, err = scanStaff(t.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
		return notFound(err, "staff "+email)
	})
	return &st, err
}

func (s staffStore) ListStaff(ctx context.Context) ([]staff.Staff, error) {
	return ViewAll(ctx, s.db, scanStaff, `SELECT `+staffColumns+` FROM staff ORDER BY email`)
}

func (s staffStore) DisableStaff(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL`, id, Millis(at))
	return err
}

func (s staffStore) SetRole(ctx context.Context, id int64, role staff.Role) error {
	_, err := s.db.Exec(ctx, `UPDATE staff SET role = $2 WHERE id = $1`, id, string(role))
	return err
}

// staffAttempts is the signin_attempts scope of console sign-ins.
const staffAttempts = "staff"

// clearAttempts forgets the failed sign-ins of staff member id's e-mail.
func (t *Tx) clearAttempts(ctx context.Context, id int64) error {
	_, err := t.Exec(ctx, `DELETE FROM signin_attempts WHERE scope = $1 AND key = (SELECT email FROM staff WHERE id = $2)`, staffAttempts, id)
	return err
}

func (s staffStore) ResetCredentials(ctx context.Context, id int64, passwordHash string, totpSealed []byte) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		if _, err := t.Exec(ctx, `UPDATE staff SET password_hash = $2, totp_sealed = $3, last_totp_step = 0 WHERE id = $1`,
			id, passwordHash, totpSealed); err != nil {
			return err
		}
		return t.clearAttempts(ctx, id)
	})
}

func (s staffStore) CountAttempt(ctx context.Context, email string, now, windowStart time.Time, max int) (time.Time, bool, bool, error) {
	var since int64
	var failures int
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		// A new e-mail or a stale window starts a window at now with this
		// attempt; a live one counts it while below max, and counts the
		// first refusal too (max+1), so that one alone is reported as the
		// first. The upsert locks the row, which serialises concurrent
		// attempts; when it changes nothing (locked, refused before) the
		// window's start is read instead.
		err := t.QueryRow(ctx, `INSERT INTO signin_attempts (scope, key, failures, since) VALUES ($1, $2, 1, $3)
			ON CONFLICT (scope, key) DO UPDATE SET
				failures = CASE WHEN signin_attempts.since < $4 THEN 1 ELSE signin_attempts.failures + 1 END,
				since = CASE WHEN signin_attempts.since < $4 THEN excluded.since ELSE signin_attempts.since END
			WHERE signin_attempts.since < $4 OR signin_attempts.failures <= $5
			RETURNING since, failures`, staffAttempts, email, Millis(now), Millis(windowStart), max).Scan(&since, &failures)
		if errors.Is(err, sql.ErrNoRows) {
			failures = max + 2
			return t.QueryRow(ctx, `SELECT since FROM signin_attempts WHERE scope = $1 AND key = $2`, staffAttempts, email).Scan(&since)
		}
		return err
	})
	if err != nil {
		return time.Time{}, false, false, err
	}
	// Rows whose window has ended would restart anyway: dropping them
	// keeps the table to one window of attempts, however many e-mails are
	// tried. A statement of its own, so it holds no lock beside the upsert.
	if _, err := s.db.Exec(ctx, `DELETE FROM signin_attempts WHERE since < $1`, Millis(windowStart)); err != nil {
		return time.Time{}, false, false, err
	}
	return FromMillis(since), failures <= max, failures == max+1, nil
}

func (s staffStore) SignedIn(ctx context.Context, id int64, step int64) (bool, error) {
	var n int64
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		var err error
		if n, err = Affected(t.Exec(ctx, `UPDATE staff SET last_totp_step = $2 WHERE id = $1 AND last_totp_step < $2`, id, step)); err != nil || n != 1 {
			return err
		}
		return t.clearAttempts(ctx, id)
	})
	return n == 1, err
}

func (s staffStore) CreateSession(ctx context.Context, ss *staff.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, csrf, ip, user_agent, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ss.TokenHash, ss.StaffID, ss.CSRF, ss.IP, ss.UserAgent, Millis(ss.CreatedAt), Millis(ss.ExpiresAt))
	return err
}

func (s staffStore) Session(ctx context.Context, tokenHash string, now time.Time) (*staff.Session, error) {
	var ss staff.Session
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
		var created, expires int64
		var st staff.Staff
		var role string
		var stCreated int64
		var disabled sql.NullInt64
		err := t.QueryRow(ctx, `SELECT s.token_hash, s.staff_id, s.csrf, s.ip, s.user_agent, s.created_at, s.expires_at,
				f.email, f.role, f.password_hash, f.totp_sealed, f.last_totp_step, f.created_at, f.created_by, f.disabled_at
			FROM staff_sessions s JOIN staff f ON f.id = s.staff_id
			WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND f.disabled_at IS NULL`,
			tokenHash, Millis(now)).Scan(&ss.TokenHash, &ss.StaffID, &ss.CSRF, &ss.IP, &ss.UserAgent, &created, &expires,
			&st.Email, &role, &st.PasswordHash, &st.TOTPSealed, &st.LastTOTPStep, &stCreated, &st.CreatedBy, &disabled)
		if err != nil {
			return notFound(err, "session")
		}
		st.ID, st.Role = ss.StaffID, staff.Role(role)
		st.CreatedAt, st.DisabledAt = FromMillis(stCreated), FromNullMillis(disabled)
		ss.CreatedAt, ss.ExpiresAt, ss.Staff = FromMillis(created), FromMillis(expires), &st
		return nil
	})
	return &ss, err
}

func (s staffStore) RevokeSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash, Millis(at))
	return err
}

func (s staffStore) RevokeStaffSessions(ctx context.Context, staffID int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff_sessions SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL`, staffID, Millis(at))
	return err
}

func scanClaim(r Scanner) (staff.Claim, error) {
	var c staff.Claim
	var exp int64
	err := r.Scan(&c.Queue, &c.Item, &c.Holder, &exp)
	c.ExpiresAt = FromMillis(exp)
	return c, err
}

func (s staffStore) Claim(ctx context.Context, c staff.Claim, now time.Time) (staff.Claim, error) {
	var out staff.Claim
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		// Take the item when it is free, expired, or already ours (which
		// extends the claim); otherwise leave the holder's row alone.
		if _, err := t.Exec(ctx, `INSERT INTO review_claims (queue, item, holder, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (queue, item) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE review_claims.expires_at <= $5 OR review_claims.holder = excluded.holder`,
			c.Queue, c.Item, c.Holder, Millis(c.ExpiresAt), Millis(now)); err != nil {
			return err
		}
		var err error
		out, err = scanClaim(t.QueryRow(ctx, `SELECT queue, item, holder, expires_at FROM review_claims WHERE queue = $1 AND item = $2`, c.Queue, c.Item))
		return err
	})
	return out, err
}

func (s staffStore) ClaimOf(ctx context.Context, queue, item string) (staff.Claim, error) {
	var c staff.Claim
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		c, err = scanClaim(t.QueryRow(ctx, `SELECT queue, item, holder, expires_at FROM review_claims WHERE queue = $1 AND item = $2`, queue, item))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return c, err
}

func (s staffStore) ReleaseClaim(ctx context.Context, queue, item, holder string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM review_claims WHERE queue = $1 AND item = $2 AND holder = $3`, queue, item, holder)
	return err
}

func (s staffStore) Claims(ctx context.Context, queue string, now time.Time) ([]staff.Claim, error) {
	return ViewAll(ctx, s.db, scanClaim, `SELECT queue, item, holder, expires_at FROM review_claims
		WHERE queue = $1 AND expires_at > $2 ORDER BY item`, queue, Millis(now))
}

const auditColumns = `seq, at, actor, action, target, detail, ip, user_agent, prev_hash, hash`

func scanAudit(r Scanner) (staff.Entry, error) {
	var e staff.Entry
	var at int64
	err := r.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP, &e.UserAgent, &e.PrevHash, &e.Hash)
	e.At = FromMillis(at)
	return e, err
}

// AppendAudit chains e after the head and inserts it. Moving the head
// first takes its row lock, so concurrent appends queue behind each other
// and each reads the head the previous one left (PostgreSQL re-reads a
// row updated meanwhile before updating it again).
func (s staffStore) AppendAudit(ctx context.Context, e *staff.Entry) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		var seq int64
		var prev string
		if err := t.QueryRow(ctx, `UPDATE staff_audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq - 1, hash`).Scan(&seq, &prev); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		e.Seal(seq, prev)
		if _, err := t.Exec(ctx, `UPDATE staff_audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
			return err
		}
		_, err := t.Exec(ctx, `INSERT INTO staff_audit (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.Seq, Millis(e.At), e.Actor, e.Action, e.Target, e.Detail, e.IP, e.UserAgent, e.PrevHash, e.Hash)
		return err
	})
}

func (s staffStore) AuditPage(ctx context.Context, p page.Request) (page.Result[staff.Entry], error) {
	return ViewPaged(ctx, s.db, p, scanAudit, `SELECT COUNT(*) FROM staff_audit`,
		`SELECT `+auditColumns+` FROM staff_audit ORDER BY seq DESC LIMIT $1`)
}

// EachAudit walks the log in pages of auditBatch rows, so a long log is
// never held in memory at once.
func (s staffStore) EachAudit(ctx context.Context, fn func(*staff.Entry) error) error {
	const auditBatch = 1000
	var after int64
	for {
		es, err := ViewAll(ctx, s.db, scanAudit, `SELECT `+auditColumns+` FROM staff_audit WHERE seq > $1 ORDER BY seq LIMIT $2`, after, auditBatch)
		if err != nil {
			return err
		}
		for i := range es {
			if err := fn(&es[i]); err != nil {
				return err
			}
		}
		if len(es) < auditBatch {
			return nil
		}
		after = es[len(es)-1].Seq
	}
}
