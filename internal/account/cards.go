package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/inbox"
	"creditpocket/internal/page"
	"creditpocket/internal/vault"
)

// CardInput adds a bank account (and optionally its debit card).
type CardInput struct {
	BankCode    string
	AccountNo   string
	AccountName string
	CardNo      string // optional debit-card PAN
}

// Card verification by micro-deposit.
const (
	maxVerifyAttempts = 3
	minMicroDeposit   = 101 // minor units
	maxMicroDeposit   = 999
)

// AddCard validates and stores a bank account. The first one becomes the
// default. Account number and PAN are sealed; a keyed hash of the account
// stops the same account being added twice.
func (s *Service) AddCard(ctx context.Context, userID int64, in CardInput) (*BankCard, error) {
	if err := text("bankNo", &in.BankCode, 1, 10); err != nil {
		return nil, err
	}
	in.AccountNo = strings.ReplaceAll(strings.TrimSpace(in.AccountNo), " ", "")
	if in.AccountNo == "" {
		return nil, errs.Required("bankAccNo")
	}
	if !identity.Digits(in.AccountNo) || len(in.AccountNo) < 6 || len(in.AccountNo) > 20 {
		return nil, errs.InvalidField("bankAccNo", "must be 6 to 20 digits")
	}
	if err := name("bankAccName", &in.AccountName, 0, 100); err != nil {
		return nil, err
	}
	in.CardNo = strings.ReplaceAll(strings.TrimSpace(in.CardNo), " ", "")
	if in.CardNo != "" && !validPAN(in.CardNo) {
		return nil, errs.InvalidField("bankCardNo", "must be a 12 to 19 digit card number with a valid Luhn check digit")
	}
	now := s.now()
	c := &BankCard{UserID: userID, BankCode: in.BankCode, AccountNumber: in.AccountNo, AccountMask: vault.Mask(in.AccountNo),
		AccountName: in.AccountName, PANMask: vault.Mask(in.CardNo), CreatedAt: now}
	c.AccountHash = s.Vault.Hash("account", in.BankCode+":"+in.AccountNo)
	if err := s.sealCard(c, in.CardNo); err != nil {
		return nil, err
	}
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		bank, err := tx.Bank(ctx, in.BankCode)
		if errs.Is(err, errs.NotFound) {
			return errs.InvalidField("bankNo", "must be a bank code from GET /bankcard/banks")
		}
		if err != nil {
			return err
		}
		if bank.NUBAN {
			if len(in.AccountNo) != 10 {
				return errs.InvalidField("bankAccNo", "a NUBAN account number must be 10 digits")
			}
			if identity.ValidNUBAN(bank.Code, in.AccountNo) != nil {
				return errs.InvalidField("bankAccNo", "is not a valid NUBAN account number for %s (check digit does not match)", bank.Name)
			}
		}
		c.BankName = bank.Name
		n, err := tx.CountCards(ctx, userID)
		if err != nil {
			return err
		}
		if n >= s.Config.MaxCards {
			return &errs.Error{Code: errs.Conflict, Field: "bankAccNo", Message: fmt.Sprintf("you already have the maximum of %d bank accounts", s.Config.MaxCards)}
		}
		c.Default = n == 0
		if err := tx.CreateCard(ctx, c); err != nil {
			if errs.Is(err, errs.Conflict) {
				return &errs.Error{Code: errs.Conflict, Field: "bankAccNo", Message: "this account is already added"}
			}
			return err
		}
		return tx.AddMessage(ctx, &inbox.Message{UserID: userID, Kind: inbox.KindCard, Title: "Bank account added",
			Content: fmt.Sprintf("%s account %s was added to your profile.", bank.Name, c.AccountMask), CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// sealCard seals a card's numbers bound to their owner and account hash,
// so a sealed number copied to another row does not open.
func (s *Service) sealCard(c *BankCard, pan string) error {
	acct, err := s.Vault.SealString(c.AccountNumber, cardAAD(c))
	if err != nil {
		return err
	}
	var p []byte
	if pan != "" {
		if p, err = s.Vault.SealString(pan, cardAAD(c)+":pan"); err != nil {
			return err
		}
	}
	c.SetSealed(acct, p)
	return nil
}

func cardAAD(c *BankCard) string { return fmt.Sprintf("bank_card:%d:%s", c.UserID, c.AccountHash) }

// validPAN checks length and the Luhn digit of a card number.
func validPAN(pan string) bool {
	if !identity.Digits(pan) || len(pan) < 12 || len(pan) > 19 {
		return false
	}
	sum := 0
	for i := len(pan) - 1; i >= 0; i-- {
		d := int(pan[i] - '0')
		if (len(pan)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Cards lists the borrower's bank accounts, default first.
func (s *Service) Cards(ctx context.Context, userID int64, p page.Request) (page.Result[BankCard], error) {
	var res page.Result[BankCard]
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		res, err = tx.Cards(ctx, userID, p)
		return err
	})
	return res, err
}

// DefaultCard returns the borrower's default bank account.
func (s *Service) DefaultCard(ctx context.Context, userID int64) (*BankCard, error) {
	var c *BankCard
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		c, err = tx.DefaultCard(ctx, userID)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "no default bank account; add one with POST /user/bankcard")
	}
	return c, err
}

// SetDefaultCard makes one of the borrower's accounts the default.
func (s *Service) SetDefaultCard(ctx context.Context, userID, cardID int64) error {
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.ownCard(ctx, tx, userID, cardID); err != nil {
			return err
		}
		return tx.SetDefaultCard(ctx, userID, cardID)
	})
}

func (s *Service) ownCard(ctx context.Context, tx Tx, userID, cardID int64) (*BankCard, error) {
	if cardID <= 0 {
		return nil, errs.InvalidField("id", "must be a positive card id")
	}
	c, err := tx.Card(ctx, userID, cardID)
	if errs.Is(err, errs.NotFound) {
		return nil, &errs.Error{Code: errs.NotFound, Field: "id", Message: "no such bank account"}
	}
	return c, err
}

// Verification is the state of a card's micro-deposit check.
type Verification struct {
	CardID        int64
	Sent          bool
	Verified      bool
	AttemptsLeft  int
	SandboxAmount int64 // only with the sandbox provider, so demos and tests can finish the flow
}

// StartCardVerification sends a micro-deposit of a random amount to the
// account, once; calling it again returns the same pending verification.
func (s *Service) StartCardVerification(ctx context.Context, userID, cardID int64) (*Verification, error) {
	var c *BankCard
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		c, err = s.ownCard(ctx, tx, userID, cardID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.VerifyAmount == 0 && c.VerifiedAt.IsZero() {
		n, err := rand.Int(rand.Reader, big.NewInt(maxMicroDeposit-minMicroDeposit+1))
		if err != nil {
			return nil, err
		}
		amount := minMicroDeposit + n.Int64()
		acct, err := s.Vault.OpenString(c.accountSealed, cardAAD(c))
		if err != nil {
			return nil, err
		}
		err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
			fresh, err := s.ownCard(ctx, tx, userID, cardID)
			if err != nil {
				return err
			}
			if fresh.VerifyAmount != 0 { // a concurrent call won
				c = fresh
				return nil
			}
			if _, err := s.Payments.SendMicroDeposit(ctx, Recipient{Name: c.AccountName, BankCode: c.BankCode, AccountNumber: acct, AccountHash: c.AccountHash}, amount); err != nil {
				return errs.E(errs.Unavailable, "the payment provider did not accept the deposit; try again later")
			}
			fresh.VerifyAmount, fresh.VerifySentAt = amount, s.now()
			c = fresh
			return tx.UpdateCardVerification(ctx, fresh)
		})
		if err != nil {
			return nil, err
		}
	}
	return s.verification(c), nil
}

func (s *Service) verification(c *BankCard) *Verification {
	v := &Verification{CardID: c.ID, Sent: c.VerifyAmount != 0, Verified: !c.VerifiedAt.IsZero(),
		AttemptsLeft: max(0, maxVerifyAttempts-c.VerifyAttempts)}
	if s.Payments.Sandbox() && !v.Verified {
		v.SandboxAmount = c.VerifyAmount
	}
	return v
}

// ConfirmCardVerification checks the amount the borrower saw on their
// statement. Three wrong amounts lock the check.
func (s *Service) ConfirmCardVerification(ctx context.Context, userID, cardID, amount int64) (*Verification, error) {
	var c *BankCard
	var result error
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		result = nil
		var err error
		if c, err = s.ownCard(ctx, tx, userID, cardID); err != nil {
			return err
		}
		switch {
		case !c.VerifiedAt.IsZero():
			return nil
		case c.VerifyAmount == 0:
			return &errs.Error{Code: errs.Conflict, Field: "id", Message: "no deposit was sent yet; call GET /bankcard/verifyAmount first"}
		}
		// The guess is counted before it is compared, in one conditional
		// UPDATE, so concurrent guesses cannot get past the limit; the
		// card is then read again under that row lock.
		ok, err := tx.AddCardVerifyAttempt(ctx, userID, c.ID, maxVerifyAttempts)
		if err != nil {
			return err
		}
		if !ok {
			return &errs.Error{Code: errs.RateLimited, Field: "amount", Message: "too many wrong amounts; contact support"}
		}
		if c, err = s.ownCard(ctx, tx, userID, cardID); err != nil || !c.VerifiedAt.IsZero() {
			return err
		}
		if amount != c.VerifyAmount {
			result = errs.InvalidField("amount", "does not match the deposit")
			return nil
		}
		c.VerifiedAt = s.now()
		return tx.UpdateCardVerification(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return s.verification(c), result
}

// EnsureRecipient makes sure the card (the default one when cardID is 0)
// is registered with the payment provider as a transfer recipient, creating
// it once and reusing the code afterwards.
func (s *Service) EnsureRecipient(ctx context.Context, userID, cardID int64) (*BankCard, error) {
	var c *BankCard
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if cardID == 0 {
			c, err = tx.DefaultCard(ctx, userID)
			if errs.Is(err, errs.NotFound) {
				return errs.E(errs.NotFound, "no default bank account; add one with POST /user/bankcard")
			}
			return err
		}
		c, err = s.ownCard(ctx, tx, userID, cardID)
		return err
	})
	if err != nil || c.RecipientCode != "" {
		return c, err
	}
	acct, err := s.Vault.OpenString(c.accountSealed, cardAAD(c))
	if err != nil {
		return nil, err
	}
	code, err := s.Payments.CreateRecipient(ctx, Recipient{Name: c.AccountName, BankCode: c.BankCode, AccountNumber: acct, AccountHash: c.AccountHash})
	if err != nil {
		return nil, errs.E(errs.Unavailable, "the payment provider could not register the account; try again later")
	}
	c.RecipientCode = code
	return c, s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error { return tx.SetCardRecipient(ctx, userID, c.ID, code) })
}

// Messages lists the borrower's message centre, newest first.
func (s *Service) Messages(ctx context.Context, userID int64, p page.Request) (page.Result[inbox.Message], error) {
	var res page.Result[inbox.Message]
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		res, err = tx.Messages(ctx, userID, p)
		return err
	})
	return res, err
}
