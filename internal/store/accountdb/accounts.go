package accountdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/page"
	"creditpocket/internal/reference"
	"creditpocket/internal/store"
)

func (x tx) CreateUser(ctx context.Context, u *account.User) error {
	return store.Translate(x.t.QueryRow(ctx, `INSERT INTO users (phone, calling_code, mobile, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.Phone, u.CallingCode, u.Mobile, u.PasswordHash, store.Millis(u.CreatedAt), store.Millis(u.UpdatedAt)).Scan(&u.ID))
}

const userColumns = `id, phone, calling_code, mobile, password_hash, created_at, updated_at`

func scanUser(row *sql.Row) (*account.User, error) {
	var u account.User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Phone, &u.CallingCode, &u.Mobile, &u.PasswordHash, &created, &updated); err != nil {
		return nil, store.NotFound(store.Translate(err), "user")
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &u, nil
}

func (x tx) UserByPhone(ctx context.Context, phone string) (*account.User, error) {
	return scanUser(x.t.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE phone = $1`, phone))
}

func (x tx) UserByID(ctx context.Context, id int64) (*account.User, error) {
	return scanUser(x.t.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

func (x tx) CreateSession(ctx context.Context, s *account.Session) error {
	_, err := x.t.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.UserID, store.Millis(s.CreatedAt), store.Millis(s.ExpiresAt), s.IP)
	return err
}

func (x tx) ActiveSession(ctx context.Context, tokenHash string, now time.Time) (*account.Session, error) {
	s := account.Session{TokenHash: tokenHash}
	var created, expires int64
	err := x.t.QueryRow(ctx, `SELECT user_id, created_at, expires_at, ip FROM sessions
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`, tokenHash, store.Millis(now)).
		Scan(&s.UserID, &created, &expires, &s.IP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Unauthenticated, "token is not valid, has expired or was logged out; sign in again")
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt = store.FromMillis(created), store.FromMillis(expires)
	return &s, nil
}

func (x tx) RevokeSession(ctx context.Context, tokenHash string, now time.Time) error {
	_, err := x.t.Exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash, store.Millis(now))
	return err
}

func (x tx) BumpCounter(ctx context.Context, scope, key, day string) (int, error) {
	var n int
	err := x.t.QueryRow(ctx, `INSERT INTO rate_counters (scope, key, day, n) VALUES ($1, $2, $3, 1)
		ON CONFLICT (scope, key, day) DO UPDATE SET n = rate_counters.n + 1
		RETURNING n`, scope, key, day).Scan(&n)
	return n, err
}

// ClaimCounter counts one under max in a single conditional upsert: the
// row lock it takes serialises concurrent claims, and a claim that finds
// the counter at max changes nothing and returns no row.
func (x tx) ClaimCounter(ctx context.Context, scope, key, day string, max int) (bool, error) {
	var n int
	err := x.t.QueryRow(ctx, `INSERT INTO rate_counters (scope, key, day, n) VALUES ($1, $2, $3, 1)
		ON CONFLICT (scope, key, day) DO UPDATE SET n = rate_counters.n + 1 WHERE rate_counters.n < $4
		RETURNING n`, scope, key, day, max).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// pruneBatch bounds the rows one PruneCounters deletes, so the first
// requests of a day do not each pay for all of yesterday's counters.
const pruneBatch = 500

func (x tx) PruneCounters(ctx context.Context, before string) error {
	_, err := x.t.Exec(ctx, `DELETE FROM rate_counters WHERE (scope, key, day) IN
		(SELECT scope, key, day FROM rate_counters WHERE day < $1 LIMIT $2)`, before, pruneBatch)
	return err
}

func (x tx) PruneOTPs(ctx context.Context, before time.Time) error {
	_, err := x.t.Exec(ctx, `DELETE FROM otps WHERE id IN
		(SELECT id FROM otps WHERE expires_at < $1 LIMIT $2)`, store.Millis(before), pruneBatch)
	return err
}

func (x tx) ReleaseCounter(ctx context.Context, scope, key, day string) error {
	_, err := x.t.Exec(ctx, `UPDATE rate_counters SET n = n - 1 WHERE scope = $1 AND key = $2 AND day = $3 AND n > 0`, scope, key, day)
	return err
}

func (x tx) CounterValue(ctx context.Context, scope, key, day string) (int, error) {
	var n int
	err := x.t.QueryRow(ctx, `SELECT n FROM rate_counters WHERE scope = $1 AND key = $2 AND day = $3`, scope, key, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (x tx) CreateOTP(ctx context.Context, o *account.OTP) error {
	return x.t.QueryRow(ctx, `INSERT INTO otps (phone, purpose, code_hash, ip, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		o.Phone, o.Purpose, o.CodeHash, o.IP, store.Millis(o.CreatedAt), store.Millis(o.ExpiresAt)).Scan(&o.ID)
}

func (x tx) LatestOTP(ctx context.Context, phone, purpose string) (*account.OTP, error) {
	o := account.OTP{Phone: phone, Purpose: purpose}
	var created, expires int64
	var verified, consumed sql.NullInt64
	err := x.t.QueryRow(ctx, `SELECT id, code_hash, attempts, ip, created_at, expires_at, verified_at, consumed_at
		FROM otps WHERE phone = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1`, phone, purpose).
		Scan(&o.ID, &o.CodeHash, &o.Attempts, &o.IP, &created, &expires, &verified, &consumed)
	if err != nil {
		return nil, store.NotFound(err, "code")
	}
	o.CreatedAt, o.ExpiresAt = store.FromMillis(created), store.FromMillis(expires)
	o.VerifiedAt, o.ConsumedAt = store.FromNullMillis(verified), store.FromNullMillis(consumed)
	return &o, nil
}

func (x tx) AddOTPAttempt(ctx context.Context, id int64, max int) (bool, error) {
	n, err := store.Affected(x.t.Exec(ctx, `UPDATE otps SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2`, id, max))
	return n == 1, err
}

func (x tx) MarkOTPVerified(ctx context.Context, id int64, now time.Time) error {
	_, err := x.t.Exec(ctx, `UPDATE otps SET verified_at = $2 WHERE id = $1`, id, store.Millis(now))
	return err
}

func (x tx) ConsumeOTP(ctx context.Context, id int64, now time.Time) (bool, error) {
	n, err := store.Affected(x.t.Exec(ctx, `UPDATE otps SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL`, id, store.Millis(now)))
	return n == 1, err
}

func (x tx) SaveProfile(ctx context.Context, p *account.Profile, idSealed []byte, idHash string) error {
	_, err := x.t.Exec(ctx, `INSERT INTO profiles (user_id, first_name, middle_name, last_name, gender, birth_date, email,
			marital_status, education, id_type, id_country, id_number_enc, id_number_hash, id_number_mask, id_valid_date,
			nationality, state, city_code, address, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, middle_name = excluded.middle_name,
			last_name = excluded.last_name, gender = excluded.gender, birth_date = excluded.birth_date, email = excluded.email,
			marital_status = excluded.marital_status, education = excluded.education, id_type = excluded.id_type,
			id_country = excluded.id_country, id_number_enc = excluded.id_number_enc, id_number_hash = excluded.id_number_hash,
			id_number_mask = excluded.id_number_mask, id_valid_date = excluded.id_valid_date, nationality = excluded.nationality,
			state = excluded.state, city_code = excluded.city_code, address = excluded.address, updated_at = excluded.updated_at`,
		p.UserID, p.FirstName, p.MiddleName, p.LastName, p.Gender, p.BirthDate, p.Email, p.MaritalStatus, p.Education,
		p.IDType, p.IDCountry, idSealed, idHash, p.IDNumberMask, p.IDValidDate, p.Nationality, p.State, p.CityCode,
		p.Address, store.Millis(p.UpdatedAt))
	return err
}

func (x tx) Profile(ctx context.Context, userID int64) (*account.Profile, []byte, error) {
	p := account.Profile{UserID: userID}
	var sealed []byte
	var updated int64
	err := x.t.QueryRow(ctx, `SELECT first_name, middle_name, last_name, gender, birth_date, email, marital_status, education,
			id_type, id_country, id_number_enc, id_number_mask, id_valid_date, nationality, state, city_code, address, updated_at
		FROM profiles WHERE user_id = $1`, userID).
		Scan(&p.FirstName, &p.MiddleName, &p.LastName, &p.Gender, &p.BirthDate, &p.Email, &p.MaritalStatus, &p.Education,
			&p.IDType, &p.IDCountry, &sealed, &p.IDNumberMask, &p.IDValidDate, &p.Nationality, &p.State, &p.CityCode,
			&p.Address, &updated)
	if err != nil {
		return nil, nil, store.NotFound(err, "profile")
	}
	p.UpdatedAt = store.FromMillis(updated)
	return &p, sealed, nil
}

func (x tx) ReplaceContacts(ctx context.Context, userID int64, cs []account.Contact, now time.Time) error {
	if _, err := x.t.Exec(ctx, `DELETE FROM contacts WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for i := range cs {
		if err := x.t.QueryRow(ctx, `INSERT INTO contacts (user_id, position, name, phone, relationship, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			userID, i, cs[i].Name, cs[i].Phone, cs[i].Relationship, store.Millis(now)).Scan(&cs[i].ID); err != nil {
			return store.Translate(err)
		}
	}
	return nil
}

func (x tx) Contacts(ctx context.Context, userID int64) ([]account.Contact, error) {
	return store.Collect(ctx, x.t, func(r store.Scanner) (c account.Contact, err error) {
		err = r.Scan(&c.ID, &c.Name, &c.Phone, &c.Relationship)
		return c, err
	}, `SELECT id, name, phone, relationship FROM contacts WHERE user_id = $1 ORDER BY position`, userID)
}

// contactsJSON aggregates a user's contacts into one JSON array of
// [id, name, phone, relationship] string arrays, in the engine's dialect.
var contactsJSON = map[store.Engine]string{
	store.Postgres: `(SELECT COALESCE(json_agg(json_build_array(ct.id::text, ct.name, ct.phone, ct.relationship) ORDER BY ct.position), '[]')::text
		FROM contacts ct WHERE ct.user_id = u.id)`,
	store.SQLite: `(SELECT COALESCE(json_group_array(json_array(CAST(ct.id AS TEXT), ct.name, ct.phone, ct.relationship) ORDER BY ct.position), '[]')
		FROM contacts ct WHERE ct.user_id = u.id)`,
}

// Overview joins a user to their optional profile, work and default card,
// with the contacts aggregated as JSON: the profile screen, the hottest
// read, in one round trip.
//
// The default card is matched with the literal TRUE, not a parameter, so
// that PostgreSQL's generic plan can use the partial index
// bank_cards_one_default and is the one reused. With a parameter, once
// the tables had statistics, it planned this five-table join afresh on
// every call: 0.4 ms, more than running it (DefaultCard likewise).
func (x tx) Overview(ctx context.Context, userID int64) (*account.Overview, error) {
	return x.overview(ctx, userID, nil)
}

// OverviewAndCreditReport implements account.Tx: the overview's statement
// joined to the newest report (its columns COALESCEd when there is none),
// so underwriting's read of a borrower's file is one statement.
func (x tx) OverviewAndCreditReport(ctx context.Context, userID int64) (*account.Overview, *account.CreditReport, error) {
	r := &account.CreditReport{UserID: userID}
	var id sql.NullInt64
	var created int64
	o, err := x.overview(ctx, userID, &reportJoin{dest: []any{&id, &r.SerialNo, &r.ReportTime, &r.IDNumberHash, &r.Accounts,
		&r.OverdueAccounts, &r.LongestOverdueMonths, &r.BadDebts, &r.QueriesLastMonth, &r.BlobKey, &created}})
	if err != nil || !id.Valid {
		return o, nil, err
	}
	r.ID, r.CreatedAt = id.Int64, store.FromMillis(created)
	return o, r, nil
}

// reportJoin adds the newest credit report's columns to the overview's
// statement, scanned into dest.
type reportJoin struct{ dest []any }

const (
	reportColumns = `, cr.id, COALESCE(cr.serial_no, ''), COALESCE(cr.report_time, ''), COALESCE(cr.id_number_hash, ''),
			COALESCE(cr.accounts, 0), COALESCE(cr.overdue_accounts, 0), COALESCE(cr.longest_overdue_months, 0),
			COALESCE(cr.bad_debts, 0), COALESCE(cr.queries_last_month, 0), COALESCE(cr.blob_key, ''), COALESCE(cr.created_at, 0)`
	reportFrom = `
		LEFT JOIN credit_reports cr ON cr.id = (SELECT MAX(id) FROM credit_reports WHERE user_id = u.id)`
)

func (x tx) overview(ctx context.Context, userID int64, report *reportJoin) (*account.Overview, error) {
	var u account.User
	var created, updated int64
	var p struct {
		first, middle, last, gender, birth, email, marital, education, idType, idCountry, idMask, idValid, nationality, state, city, address sql.NullString
		updated                                                                                                                              sql.NullInt64
		idSealed                                                                                                                             []byte
	}
	var w struct {
		name, phone, address, profession, income sql.NullString
		updated                                  sql.NullInt64
	}
	var c struct {
		id, amount, sent, verified, created, attempts  sql.NullInt64
		bank, bankName, hash, mask, name, panMask, rcp sql.NullString
		acct, pan                                      []byte
	}
	var contacts string
	columns, from := "", ""
	dest := []any{&u.ID, &u.Phone, &u.CallingCode, &u.Mobile, &u.PasswordHash, &created, &updated, &contacts,
		&p.first, &p.middle, &p.last, &p.gender, &p.birth, &p.email, &p.marital, &p.education,
		&p.idType, &p.idCountry, &p.idSealed, &p.idMask, &p.idValid, &p.nationality, &p.state, &p.city, &p.address, &p.updated,
		&w.name, &w.phone, &w.address, &w.profession, &w.income, &w.updated,
		&c.id, &c.bank, &c.bankName, &c.acct, &c.hash, &c.mask, &c.name, &c.pan, &c.panMask,
		&c.amount, &c.sent, &c.attempts, &c.verified, &c.rcp, &c.created}
	if report != nil {
		columns, from, dest = reportColumns, reportFrom, append(dest, report.dest...)
	}
	err := x.t.QueryRow(ctx, `SELECT u.id, u.phone, u.calling_code, u.mobile, u.password_hash, u.created_at, u.updated_at, `+contactsJSON[x.t.Engine()]+`,
			p.first_name, p.middle_name, p.last_name, p.gender, p.birth_date, p.email, p.marital_status, p.education,
			p.id_type, p.id_country, p.id_number_enc, p.id_number_mask, p.id_valid_date, p.nationality, p.state, p.city_code, p.address, p.updated_at,
			w.company_name, w.company_phone, w.company_address, w.profession, w.income_code, w.updated_at,
			c.id, c.bank_code, b.name, c.account_enc, c.account_hash, c.account_mask, c.account_name, c.pan_enc, c.pan_mask,
			c.verify_amount, c.verify_sent_at, c.verify_attempts, c.verified_at, c.recipient_code, c.created_at`+columns+`
		FROM users u
		LEFT JOIN profiles p ON p.user_id = u.id
		LEFT JOIN work_infos w ON w.user_id = u.id
		LEFT JOIN bank_cards c ON c.user_id = u.id AND c.is_default = TRUE
		LEFT JOIN banks b ON b.code = c.bank_code`+from+`
		WHERE u.id = $1`, userID).Scan(dest...)
	if err != nil {
		return nil, store.NotFound(err, "user")
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	o := &account.Overview{User: &u}
	var rows [][4]string
	if err := json.Unmarshal([]byte(contacts), &rows); err != nil {
		return nil, fmt.Errorf("decode aggregated contacts: %w", err)
	}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		o.Contacts = append(o.Contacts, account.Contact{ID: id, Name: r[1], Phone: r[2], Relationship: r[3]})
	}
	var prof *account.Profile
	if p.updated.Valid {
		prof = &account.Profile{UserID: u.ID, FirstName: p.first.String, MiddleName: p.middle.String, LastName: p.last.String,
			Gender: p.gender.String, BirthDate: p.birth.String, Email: p.email.String, MaritalStatus: p.marital.String,
			Education: p.education.String, IDType: p.idType.String, IDCountry: p.idCountry.String, IDNumberMask: p.idMask.String,
			IDValidDate: p.idValid.String, Nationality: p.nationality.String, State: p.state.String, CityCode: p.city.String,
			Address: p.address.String, UpdatedAt: store.FromMillis(p.updated.Int64)}
	}
	var work *account.Work
	if w.updated.Valid {
		work = &account.Work{CompanyName: w.name.String, CompanyPhone: w.phone.String, CompanyAddress: w.address.String,
			Profession: w.profession.String, IncomeCode: w.income.String, UpdatedAt: store.FromMillis(w.updated.Int64)}
	}
	var card *account.BankCard
	if c.id.Valid {
		card = &account.BankCard{ID: c.id.Int64, UserID: u.ID, BankCode: c.bank.String, BankName: c.bankName.String,
			AccountHash: c.hash.String, AccountMask: c.mask.String, AccountName: c.name.String, PANMask: c.panMask.String,
			Default: true, VerifyAmount: c.amount.Int64, VerifySentAt: store.FromNullMillis(c.sent), VerifyAttempts: int(c.attempts.Int64),
			VerifiedAt: store.FromNullMillis(c.verified), RecipientCode: c.rcp.String, CreatedAt: store.FromMillis(c.created.Int64)}
		card.SetSealed(c.acct, c.pan)
	}
	o.Profile, o.Work, o.Default = prof, work, card
	o.SetSealedID(p.idSealed)
	return o, nil
}

func (x tx) SaveWork(ctx context.Context, userID int64, w *account.Work) error {
	_, err := x.t.Exec(ctx, `INSERT INTO work_infos (user_id, company_name, company_phone, company_address, profession, income_code, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (user_id) DO UPDATE SET company_name = excluded.company_name, company_phone = excluded.company_phone,
			company_address = excluded.company_address, profession = excluded.profession, income_code = excluded.income_code,
			updated_at = excluded.updated_at`,
		userID, w.CompanyName, w.CompanyPhone, w.CompanyAddress, w.Profession, w.IncomeCode, store.Millis(w.UpdatedAt))
	return err
}

func (x tx) Work(ctx context.Context, userID int64) (*account.Work, error) {
	var w account.Work
	var updated int64
	err := x.t.QueryRow(ctx, `SELECT company_name, company_phone, company_address, profession, income_code, updated_at
		FROM work_infos WHERE user_id = $1`, userID).
		Scan(&w.CompanyName, &w.CompanyPhone, &w.CompanyAddress, &w.Profession, &w.IncomeCode, &updated)
	if err != nil {
		return nil, store.NotFound(err, "work information")
	}
	w.UpdatedAt = store.FromMillis(updated)
	return &w, nil
}

func (x tx) Bank(ctx context.Context, code string) (*reference.Bank, error) {
	var b reference.Bank
	err := x.t.QueryRow(ctx, `SELECT code, name, country, nuban FROM banks WHERE code = $1`, code).Scan(&b.Code, &b.Name, &b.Country, &b.NUBAN)
	if err != nil {
		return nil, store.NotFound(err, "bank")
	}
	return &b, nil
}

func (x tx) CityExists(ctx context.Context, code string) (bool, error) {
	return x.t.Exists(ctx, `SELECT 1 FROM cities WHERE code = $1`, code)
}

func (x tx) IncomeBandExists(ctx context.Context, code string) (bool, error) {
	return x.t.Exists(ctx, `SELECT 1 FROM income_bands WHERE code = $1`, code)
}

func (x tx) CreateCard(ctx context.Context, c *account.BankCard) error {
	acct, pan := c.Sealed()
	return store.Translate(x.t.QueryRow(ctx, `INSERT INTO bank_cards (user_id, bank_code, account_enc, account_hash, account_mask, account_name,
			pan_enc, pan_mask, is_default, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		c.UserID, c.BankCode, acct, c.AccountHash, c.AccountMask, c.AccountName, pan, c.PANMask, c.Default, store.Millis(c.CreatedAt)).Scan(&c.ID))
}

const cardColumns = `c.id, c.user_id, c.bank_code, b.name, c.account_enc, c.account_hash, c.account_mask, c.account_name,
	c.pan_enc, c.pan_mask, c.is_default, c.verify_amount, c.verify_sent_at, c.verify_attempts, c.verified_at,
	c.recipient_code, c.created_at`

const cardFrom = ` FROM bank_cards c JOIN banks b ON b.code = c.bank_code `

func scanCard(r store.Scanner) (*account.BankCard, error) {
	var c account.BankCard
	var acct, pan []byte
	var amount, sent, verified sql.NullInt64
	var created int64
	if err := r.Scan(&c.ID, &c.UserID, &c.BankCode, &c.BankName, &acct, &c.AccountHash, &c.AccountMask, &c.AccountName,
		&pan, &c.PANMask, &c.Default, &amount, &sent, &c.VerifyAttempts, &verified, &c.RecipientCode, &created); err != nil {
		return nil, err
	}
	c.SetSealed(acct, pan)
	c.VerifyAmount = amount.Int64
	c.VerifySentAt, c.VerifiedAt, c.CreatedAt = store.FromNullMillis(sent), store.FromNullMillis(verified), store.FromMillis(created)
	return &c, nil
}

func (x tx) Card(ctx context.Context, userID, cardID int64) (*account.BankCard, error) {
	c, err := scanCard(x.t.QueryRow(ctx, `SELECT `+cardColumns+cardFrom+`WHERE c.user_id = $1 AND c.id = $2`, userID, cardID))
	return c, store.NotFound(err, "bank account")
}

func (x tx) DefaultCard(ctx context.Context, userID int64) (*account.BankCard, error) {
	c, err := scanCard(x.t.QueryRow(ctx, `SELECT `+cardColumns+cardFrom+`WHERE c.user_id = $1 AND c.is_default = TRUE`, userID))
	return c, store.NotFound(err, "default bank account")
}

func (x tx) Cards(ctx context.Context, userID int64, p page.Request) (page.Result[account.BankCard], error) {
	return store.OwnPaged(ctx, x.t, p, func(r store.Scanner) (account.BankCard, error) {
		c, err := scanCard(r)
		if err != nil {
			return account.BankCard{}, err
		}
		return *c, nil
	}, `SELECT COUNT(*) FROM bank_cards WHERE user_id = $1`,
		`SELECT COUNT(*) OVER (), `+cardColumns+cardFrom+`WHERE c.user_id = $1 ORDER BY c.is_default DESC, c.id LIMIT $2`, userID)
}

func (x tx) CountCards(ctx context.Context, userID int64) (int, error) {
	var n int
	err := x.t.QueryRow(ctx, `SELECT COUNT(*) FROM bank_cards WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}

// SetDefaultCard clears the old default before setting the new one so the
// partial unique index (one default per borrower) holds at every statement.
func (x tx) SetDefaultCard(ctx context.Context, userID, cardID int64) error {
	if _, err := x.t.Exec(ctx, `UPDATE bank_cards SET is_default = $2 WHERE user_id = $1 AND is_default = $3 AND id <> $4`,
		userID, false, true, cardID); err != nil {
		return err
	}
	_, err := x.t.Exec(ctx, `UPDATE bank_cards SET is_default = $3 WHERE user_id = $1 AND id = $2`, userID, cardID, true)
	return err
}

func (x tx) UpdateCardVerification(ctx context.Context, c *account.BankCard) error {
	_, err := x.t.Exec(ctx, `UPDATE bank_cards SET verify_amount = $3, verify_sent_at = $4, verify_attempts = $5, verified_at = $6
		WHERE user_id = $1 AND id = $2`,
		c.UserID, c.ID, sql.NullInt64{Int64: c.VerifyAmount, Valid: c.VerifyAmount != 0}, store.NullMillis(c.VerifySentAt),
		c.VerifyAttempts, store.NullMillis(c.VerifiedAt))
	return err
}

func (x tx) AddCardVerifyAttempt(ctx context.Context, userID, cardID int64, max int) (bool, error) {
	n, err := store.Affected(x.t.Exec(ctx, `UPDATE bank_cards SET verify_attempts = verify_attempts + 1
		WHERE user_id = $1 AND id = $2 AND verify_attempts < $3`, userID, cardID, max))
	return n == 1, err
}

func (x tx) SetCardRecipient(ctx context.Context, userID, cardID int64, code string) error {
	_, err := x.t.Exec(ctx, `UPDATE bank_cards SET recipient_code = $3 WHERE user_id = $1 AND id = $2`, userID, cardID, code)
	return err
}

func (x tx) AddMessage(ctx context.Context, m *inbox.Message) error {
	return x.t.QueryRow(ctx, `INSERT INTO messages (user_id, kind, title, content, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.UserID, m.Kind, m.Title, m.Content, store.Millis(m.CreatedAt)).Scan(&m.ID)
}

func (x tx) Messages(ctx context.Context, userID int64, p page.Request) (page.Result[inbox.Message], error) {
	return store.OwnPaged(ctx, x.t, p, func(r store.Scanner) (inbox.Message, error) {
		m := inbox.Message{UserID: userID}
		var read sql.NullInt64
		var created int64
		err := r.Scan(&m.ID, &m.Kind, &m.Title, &m.Content, &read, &created)
		m.Read, m.CreatedAt = read.Valid, store.FromMillis(created)
		return m, err
	}, `SELECT COUNT(*) FROM messages WHERE user_id = $1`,
		`SELECT COUNT(*) OVER (), id, kind, title, content, read_at, created_at FROM messages WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID)
}
