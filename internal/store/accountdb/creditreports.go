package accountdb

import (
	"context"

	"creditpocket/internal/account"
	"creditpocket/internal/store"
)

func (x tx) SaveCreditReport(ctx context.Context, r *account.CreditReport) error {
	return store.Translate(x.t.QueryRow(ctx, `INSERT INTO credit_reports (user_id, serial_no, report_time, id_number_hash, accounts,
			overdue_accounts, longest_overdue_months, bad_debts, queries_last_month, blob_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.UserID, r.SerialNo, r.ReportTime, r.IDNumberHash, r.Accounts, r.OverdueAccounts, r.LongestOverdueMonths,
		r.BadDebts, r.QueriesLastMonth, r.BlobKey, store.Millis(r.CreatedAt)).Scan(&r.ID))
}

func (x tx) LatestCreditReport(ctx context.Context, userID int64) (*account.CreditReport, error) {
	r := account.CreditReport{UserID: userID}
	var created int64
	err := x.t.QueryRow(ctx, `SELECT id, serial_no, report_time, id_number_hash, accounts, overdue_accounts,
			longest_overdue_months, bad_debts, queries_last_month, blob_key, created_at
		FROM credit_reports WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, userID).
		Scan(&r.ID, &r.SerialNo, &r.ReportTime, &r.IDNumberHash, &r.Accounts, &r.OverdueAccounts,
			&r.LongestOverdueMonths, &r.BadDebts, &r.QueriesLastMonth, &r.BlobKey, &created)
	if err != nil {
		return nil, store.NotFound(err, "credit report")
	}
	r.CreatedAt = store.FromMillis(created)
	return &r, nil
}
