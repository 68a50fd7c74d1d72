package account

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
)

// CreditReport is a parsed credit report a borrower attached. The report
// itself is sealed in the blob store under BlobKey; only its summary counts
// and a keyed hash of the ID number are kept in the database.
type CreditReport struct {
	ID                   int64
	UserID               int64
	SerialNo             string
	ReportTime           string
	IDNumberHash         string
	Accounts             int
	OverdueAccounts      int
	LongestOverdueMonths int
	BadDebts             int
	QueriesLastMonth     int
	BlobKey              string
	CreatedAt            time.Time
}

// CreditReports is the storage of the borrower's attached reports'
// summaries: part of Tx, because a report and the message telling the
// borrower it was read commit together.
type CreditReports interface {
	SaveCreditReport(ctx context.Context, r *CreditReport) error
	LatestCreditReport(ctx context.Context, userID int64) (*CreditReport, error) // errs.NotFound
}

// Blobs stores sealed documents.
type Blobs interface {
	Put(ctx context.Context, data []byte) (string, error)
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// AttachCreditReport keeps a parsed report for the borrower it is about:
// its ID number must be the one on the borrower's profile, so nobody can
// attach someone else's clean report. The report is sealed at rest.
func (s *Service) AttachCreditReport(ctx context.Context, userID int64, rep *creditreport.Report) (*CreditReport, error) {
	sum := creditreport.Summarize(rep)
	reportID := strings.ToUpper(strings.TrimSpace(sum.IDNumber))
	if reportID == "" || sum.SerialNo == "" {
		return nil, errs.InvalidField("file", "the report has no report number or ID number")
	}
	var profileID string
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		_, sealed, err := tx.Profile(ctx, userID)
		if errs.Is(err, errs.NotFound) {
			return &errs.Error{Code: errs.Conflict, Field: "file", Message: "save basic information (with your ID number) before attaching a credit report"}
		}
		if err != nil {
			return err
		}
		profileID, err = s.Vault.OpenString(sealed, profileAAD(userID))
		return err
	})
	if err != nil {
		return nil, err
	}
	if reportID != profileID {
		return nil, errs.InvalidField("file", "the report is about another person: its ID number is not the one on your profile")
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Vault.SealString(string(raw), creditReportAAD(userID))
	if err != nil {
		return nil, err
	}
	key, err := s.Blobs.Put(ctx, sealed)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cr := &CreditReport{UserID: userID, SerialNo: sum.SerialNo, ReportTime: sum.ReportTime,
		IDNumberHash: s.Vault.Hash("id_number", reportID), Accounts: sum.Accounts, OverdueAccounts: sum.OverdueAccounts,
		LongestOverdueMonths: sum.LongestOverdueMonths, BadDebts: sum.BadDebts, QueriesLastMonth: sum.QueriesLastMonth,
		BlobKey: key, CreatedAt: now}
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.SaveCreditReport(ctx, cr); err != nil {
			return err
		}
		return tx.AddMessage(ctx, &inbox.Message{UserID: userID, Kind: inbox.KindAccount, Title: "Credit report attached",
			Content: fmt.Sprintf("Your credit report %s was read and added to your profile.", sum.SerialNo), CreatedAt: now})
	})
	if err != nil {
		_ = s.Blobs.Delete(ctx, key)
		return nil, err
	}
	return cr, nil
}

func creditReportAAD(userID int64) string { return fmt.Sprintf("credit_report:%d", userID) }

// LatestCreditReport returns the borrower's newest attached report.
func (s *Service) LatestCreditReport(ctx context.Context, userID int64) (*CreditReport, error) {
	var cr *CreditReport
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		cr, err = tx.LatestCreditReport(ctx, userID)
		return err
	})
	return cr, err
}

// OpenCreditReport reads the borrower's newest attached report in full
// (for an operator; callers log the view). errs.NotFound when none.
func (s *Service) OpenCreditReport(ctx context.Context, userID int64) (*CreditReport, *creditreport.Report, error) {
	cr, err := s.LatestCreditReport(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := s.Blobs.Get(ctx, cr.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("account: read credit report %d: %w", cr.ID, err)
	}
	raw, err := s.Vault.OpenString(sealed, creditReportAAD(userID))
	if err != nil {
		return nil, nil, fmt.Errorf("account: open credit report %d: %w", cr.ID, err)
	}
	rep := new(creditreport.Report)
	if err := json.Unmarshal([]byte(raw), rep); err != nil {
		return nil, nil, fmt.Errorf("account: decode credit report %d: %w", cr.ID, err)
	}
	return cr, rep, nil
}
