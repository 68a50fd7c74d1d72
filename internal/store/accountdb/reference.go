package accountdb

import (
	"context"
	"database/sql"
	"errors"

	"creditpocket/internal/page"
	"creditpocket/internal/reference"
	"creditpocket/internal/store"
)

// Reference implements reference.Store over the database: the bank,
// city and income dictionaries, the support desk and settings.
type Reference struct{ db *store.DB }

// NewReference returns the reference store over db.
func NewReference(db *store.DB) *Reference { return &Reference{db: db} }

var _ reference.Store = (*Reference)(nil)

func scanBank(r store.Scanner) (b reference.Bank, err error) {
	err = r.Scan(&b.Code, &b.Name, &b.Country, &b.NUBAN)
	return b, err
}

func (s *Reference) Banks(ctx context.Context) ([]reference.Bank, error) {
	return store.ViewAll(ctx, s.db, scanBank, `SELECT code, name, country, nuban FROM banks ORDER BY position, name`)
}

func (s *Reference) Cities(ctx context.Context, state string, p page.Request) (page.Result[reference.City], error) {
	return store.ViewPaged(ctx, s.db, p, func(r store.Scanner) (c reference.City, err error) {
		err = r.Scan(&c.Code, &c.Name, &c.State)
		return c, err
	}, `SELECT COUNT(*) FROM cities WHERE $1 = '' OR state = $1`,
		`SELECT code, name, state FROM cities WHERE $1 = '' OR state = $1 ORDER BY position, code LIMIT $2`, state)
}

func (s *Reference) IncomeBands(ctx context.Context) ([]reference.IncomeBand, error) {
	return store.ViewAll(ctx, s.db, func(r store.Scanner) (b reference.IncomeBand, err error) {
		err = r.Scan(&b.Code, &b.Label, &b.Min, &b.Max)
		return b, err
	}, `SELECT code, label, min_minor, max_minor FROM income_bands ORDER BY position`)
}

func (s *Reference) HotQuestions(ctx context.Context, p page.Request) (page.Result[reference.HotQuestion], error) {
	return store.ViewPaged(ctx, s.db, p, func(r store.Scanner) (q reference.HotQuestion, err error) {
		err = r.Scan(&q.ID, &q.Question, &q.Answer)
		return q, err
	}, `SELECT COUNT(*) FROM support_questions`,
		`SELECT id, question, answer FROM support_questions ORDER BY position, id LIMIT $1`)
}

func (s *Reference) SupportPhones(ctx context.Context) ([]reference.SupportPhone, error) {
	return store.ViewAll(ctx, s.db, func(r store.Scanner) (p reference.SupportPhone, err error) {
		err = r.Scan(&p.Phone, &p.Label)
		return p, err
	}, `SELECT phone, label FROM support_phones ORDER BY position`)
}

func (s *Reference) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		err := t.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, err
}

// Seed inserts the seed's rows that are missing; rows an operator changed
// are left alone, so seeding on every start is safe.
func (r *Reference) Seed(ctx context.Context, s reference.Seed) error {
	return r.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		for i, b := range s.Banks {
			if _, err := t.Exec(ctx, `INSERT INTO banks (code, name, country, nuban, position) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO NOTHING`, b.Code, b.Name, b.Country, b.NUBAN, i); err != nil {
				return err
			}
		}
		for i, c := range s.Cities {
			if _, err := t.Exec(ctx, `INSERT INTO cities (code, name, state, position) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO NOTHING`, c.Code, c.Name, c.State, i); err != nil {
				return err
			}
		}
		for i, b := range s.IncomeBands {
			if _, err := t.Exec(ctx, `INSERT INTO income_bands (code, label, min_minor, max_minor, position) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO NOTHING`, b.Code, b.Label, b.Min, b.Max, i); err != nil {
				return err
			}
		}
		for i, q := range s.HotQuestions {
			if _, err := t.Exec(ctx, `INSERT INTO support_questions (question, answer, position) VALUES ($1, $2, $3)
				ON CONFLICT (question) DO NOTHING`, q.Question, q.Answer, i); err != nil {
				return err
			}
		}
		for i, p := range s.SupportPhones {
			if _, err := t.Exec(ctx, `INSERT INTO support_phones (phone, label, position) VALUES ($1, $2, $3)
				ON CONFLICT (phone) DO NOTHING`, p.Phone, p.Label, i); err != nil {
				return err
			}
		}
		for k, v := range s.Settings {
			if _, err := t.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}
