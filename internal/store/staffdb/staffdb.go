// Package staffdb stores the console's staff in the database: accounts,
// sign-in attempts, sessions, review claims and the hash-chained audit log
// (migration 007_staff).
package staffdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"creditpocket/internal/page"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
)

// Store implements staff.Store. Every write runs at READ COMMITTED; what
// each relies on instead of a snapshot is said at the write.
type Store struct{ db *store.DB }

// New returns the staff store over db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ staff.Store = (*Store)(nil)

const staffColumns = `id, email, role, password_hash, totp_sealed, last_totp_step, created_at, created_by, disabled_at`

func scanStaff(r store.Scanner) (staff.Staff, error) {
	var s staff.Staff
	var role string
	var created int64
	var disabled sql.NullInt64
	err := r.Scan(&s.ID, &s.Email, &role, &s.PasswordHash, &s.TOTPSealed, &s.LastTOTPStep, &created, &s.CreatedBy, &disabled)
	s.Role = staff.Role(role)
	s.CreatedAt, s.DisabledAt = store.FromMillis(created), store.FromNullMillis(disabled)
	return s, err
}

// CreateStaff relies on the unique e-mail index: a second member with the
// same e-mail is refused (errs.Conflict), however close the two creates.
func (s *Store) CreateStaff(ctx context.Context, st *staff.Staff) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		return store.Translate(t.QueryRow(ctx, `INSERT INTO staff (email, role, password_hash, totp_sealed, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			st.Email, string(st.Role), st.PasswordHash, st.TOTPSealed, store.Millis(st.CreatedAt), st.CreatedBy).Scan(&st.ID))
	})
}

func (s *Store) StaffByEmail(ctx context.Context, email string) (*staff.Staff, error) {
	var st staff.Staff
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		var err error
		st, err = scanStaff(t.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
		return store.NotFound(err, "staff "+email)
	})
	return &st, err
}

func (s *Store) ListStaff(ctx context.Context) ([]staff.Staff, error) {
	return store.ViewAll(ctx, s.db, scanStaff, `SELECT `+staffColumns+` FROM staff ORDER BY email`)
}

// DisableStaff is one conditional UPDATE: disabling twice keeps the first time.
func (s *Store) DisableStaff(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL`, id, store.Millis(at))
	return err
}

func (s *Store) SetRole(ctx context.Context, id int64, role staff.Role) error {
	_, err := s.db.Exec(ctx, `UPDATE staff SET role = $2 WHERE id = $1`, id, string(role))
	return err
}

// staffAttempts is the signin_attempts scope of console sign-ins.
const staffAttempts = "staff"

// clearAttempts forgets the failed sign-ins of staff member id's e-mail.
func clearAttempts(ctx context.Context, t *store.Tx, id int64) error {
	_, err := t.Exec(ctx, `DELETE FROM signin_attempts WHERE scope = $1 AND key = (SELECT email FROM staff WHERE id = $2)`, staffAttempts, id)
	return err
}

// ResetCredentials replaces the credentials and forgets the failed
// attempts in one transaction, so a reset never leaves the e-mail locked.
func (s *Store) ResetCredentials(ctx context.Context, id int64, passwordHash string, totpSealed []byte) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		if _, err := t.Exec(ctx, `UPDATE staff SET password_hash = $2, totp_sealed = $3, last_totp_step = 0 WHERE id = $1`,
			id, passwordHash, totpSealed); err != nil {
			return err
		}
		return clearAttempts(ctx, t, id)
	})
}

func (s *Store) CountAttempt(ctx context.Context, email string, now, windowStart time.Time, max int) (time.Time, bool, bool, error) {
	var since int64
	var failures int
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
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
			RETURNING since, failures`, staffAttempts, email, store.Millis(now), store.Millis(windowStart), max).Scan(&since, &failures)
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
	if _, err := s.db.Exec(ctx, `DELETE FROM signin_attempts WHERE since < $1`, store.Millis(windowStart)); err != nil {
		return time.Time{}, false, false, err
	}
	return store.FromMillis(since), failures <= max, failures == max+1, nil
}

// SignedIn relies on its conditional UPDATE (last_totp_step < step): of
// two sign-ins with one code only one moves the step, and the other is a
// replay.
func (s *Store) SignedIn(ctx context.Context, id int64, step int64) (bool, error) {
	var n int64
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		var err error
		if n, err = store.Affected(t.Exec(ctx, `UPDATE staff SET last_totp_step = $2 WHERE id = $1 AND last_totp_step < $2`, id, step)); err != nil || n != 1 {
			return err
		}
		return clearAttempts(ctx, t, id)
	})
	return n == 1, err
}

func (s *Store) CreateSession(ctx context.Context, ss *staff.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, csrf, ip, user_agent, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ss.TokenHash, ss.StaffID, ss.CSRF, ss.IP, ss.UserAgent, store.Millis(ss.CreatedAt), store.Millis(ss.ExpiresAt))
	return err
}

func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (*staff.Session, error) {
	var ss staff.Session
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		var created, expires int64
		var st staff.Staff
		var role string
		var stCreated int64
		var disabled sql.NullInt64
		err := t.QueryRow(ctx, `SELECT s.token_hash, s.staff_id, s.csrf, s.ip, s.user_agent, s.created_at, s.expires_at,
				f.email, f.role, f.password_hash, f.totp_sealed, f.last_totp_step, f.created_at, f.created_by, f.disabled_at
			FROM staff_sessions s JOIN staff f ON f.id = s.staff_id
			WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND f.disabled_at IS NULL`,
			tokenHash, store.Millis(now)).Scan(&ss.TokenHash, &ss.StaffID, &ss.CSRF, &ss.IP, &ss.UserAgent, &created, &expires,
			&st.Email, &role, &st.PasswordHash, &st.TOTPSealed, &st.LastTOTPStep, &stCreated, &st.CreatedBy, &disabled)
		if err != nil {
			return store.NotFound(err, "session")
		}
		st.ID, st.Role = ss.StaffID, staff.Role(role)
		st.CreatedAt, st.DisabledAt = store.FromMillis(stCreated), store.FromNullMillis(disabled)
		ss.CreatedAt, ss.ExpiresAt, ss.Staff = store.FromMillis(created), store.FromMillis(expires), &st
		return nil
	})
	return &ss, err
}

func (s *Store) RevokeSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash, store.Millis(at))
	return err
}

func (s *Store) RevokeStaffSessions(ctx context.Context, staffID int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE staff_sessions SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL`, staffID, store.Millis(at))
	return err
}

func scanClaim(r store.Scanner) (staff.Claim, error) {
	var c staff.Claim
	var exp int64
	err := r.Scan(&c.Queue, &c.Item, &c.Holder, &exp)
	c.ExpiresAt = store.FromMillis(exp)
	return c, err
}

// Claim relies on the claim's uniqueness (queue, item) and its upsert: the
// row lock the upsert takes makes concurrent takers queue, and each sees
// the holder the previous one left.
func (s *Store) Claim(ctx context.Context, c staff.Claim, now time.Time) (staff.Claim, error) {
	var out staff.Claim
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		// Take the item when it is free, expired, or already ours (which
		// extends the claim); otherwise leave the holder's row alone.
		if _, err := t.Exec(ctx, `INSERT INTO review_claims (queue, item, holder, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (queue, item) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE review_claims.expires_at <= $5 OR review_claims.holder = excluded.holder`,
			c.Queue, c.Item, c.Holder, store.Millis(c.ExpiresAt), store.Millis(now)); err != nil {
			return err
		}
		var err error
		out, err = scanClaim(t.QueryRow(ctx, `SELECT queue, item, holder, expires_at FROM review_claims WHERE queue = $1 AND item = $2`, c.Queue, c.Item))
		return err
	})
	return out, err
}

func (s *Store) ClaimOf(ctx context.Context, queue, item string) (staff.Claim, error) {
	var c staff.Claim
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		var err error
		c, err = scanClaim(t.QueryRow(ctx, `SELECT queue, item, holder, expires_at FROM review_claims WHERE queue = $1 AND item = $2`, queue, item))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return c, err
}

func (s *Store) ReleaseClaim(ctx context.Context, queue, item, holder string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM review_claims WHERE queue = $1 AND item = $2 AND holder = $3`, queue, item, holder)
	return err
}

func (s *Store) Claims(ctx context.Context, queue string, now time.Time) ([]staff.Claim, error) {
	return store.ViewAll(ctx, s.db, scanClaim, `SELECT queue, item, holder, expires_at FROM review_claims
		WHERE queue = $1 AND expires_at > $2 ORDER BY item`, queue, store.Millis(now))
}

const auditColumns = `seq, at, actor, action, target, detail, ip, user_agent, prev_hash, hash`

func scanAudit(r store.Scanner) (staff.Entry, error) {
	var e staff.Entry
	var at int64
	err := r.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP, &e.UserAgent, &e.PrevHash, &e.Hash)
	e.At = store.FromMillis(at)
	return e, err
}

// AppendAudit chains e after the head and inserts it. Moving the head
// first takes its row lock, so concurrent appends queue behind each other
// and each reads the head the previous one left (PostgreSQL re-reads a
// row updated meanwhile before updating it again).
func (s *Store) AppendAudit(ctx context.Context, e *staff.Entry) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
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
			e.Seq, store.Millis(e.At), e.Actor, e.Action, e.Target, e.Detail, e.IP, e.UserAgent, e.PrevHash, e.Hash)
		return err
	})
}

func (s *Store) AuditPage(ctx context.Context, p page.Request) (page.Result[staff.Entry], error) {
	return store.ViewPaged(ctx, s.db, p, scanAudit, `SELECT COUNT(*) FROM staff_audit`,
		`SELECT `+auditColumns+` FROM staff_audit ORDER BY seq DESC LIMIT $1`)
}

// EachAudit walks the log in pages of auditBatch rows, so a long log is
// never held in memory at once.
func (s *Store) EachAudit(ctx context.Context, fn func(*staff.Entry) error) error {
	const auditBatch = 1000
	var after int64
	for {
		es, err := store.ViewAll(ctx, s.db, scanAudit, `SELECT `+auditColumns+` FROM staff_audit WHERE seq > $1 ORDER BY seq LIMIT $2`, after, auditBatch)
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
