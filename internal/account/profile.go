package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/vault"
)

// BasicInfoInput is the "basic information" step.
type BasicInfoInput struct {
	FirstName, MiddleName, LastName string
	Gender                          string
	BirthDate                       string
	Email                           string
	MaritalStatus, Education        string
	IDType, IDNumber, IDCountry     string
	IDValidDate                     string
	Nationality                     string
	State, CityCode, Address        string
}

// Age limits for borrowers.
const (
	MinAge = 18
	MaxAge = 100
)

// SaveBasicInfo validates and stores the basic information; the ID number
// is sealed and kept with a keyed hash for look-ups.
func (s *Service) SaveBasicInfo(ctx context.Context, userID int64, in BasicInfoInput) error {
	now := s.now()
	if err := s.checkBasic(&in, now); err != nil {
		return err
	}
	p := &Profile{
		UserID: userID, FirstName: in.FirstName, MiddleName: in.MiddleName, LastName: in.LastName,
		Gender: in.Gender, BirthDate: in.BirthDate, Email: in.Email, MaritalStatus: in.MaritalStatus,
		Education: in.Education, IDType: in.IDType, IDCountry: in.IDCountry, IDNumberMask: vault.Mask(in.IDNumber),
		IDValidDate: in.IDValidDate, Nationality: in.Nationality, State: in.State, CityCode: in.CityCode,
		Address: in.Address, UpdatedAt: now,
	}
	sealed, err := s.Vault.SealString(in.IDNumber, profileAAD(userID))
	if err != nil {
		return err
	}
	hash := s.Vault.Hash("id_number", in.IDCountry+":"+in.IDNumber)
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		ok, err := tx.CityExists(ctx, in.CityCode)
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("cityCode", "must be a code from GET /dict/cities")
		}
		return tx.SaveProfile(ctx, p, sealed, hash)
	})
}

func profileAAD(userID int64) string { return fmt.Sprintf("profile.id_number:%d", userID) }

// ProfileAAD is the additional data a profile's ID number is sealed with,
// for the start-up key check of a database from before key check values.
func ProfileAAD(userID int64) string { return profileAAD(userID) }

func (s *Service) checkBasic(in *BasicInfoInput, now time.Time) error {
	for _, c := range []struct {
		field    string
		v        *string
		min, max int
	}{{"firstName", &in.FirstName, 1, 50}, {"middleName", &in.MiddleName, 0, 50}, {"lastName", &in.LastName, 1, 50}} {
		if err := name(c.field, c.v, c.min, c.max); err != nil {
			return err
		}
	}
	if err := oneOf("gender", in.Gender, Genders); err != nil {
		return err
	}
	if in.BirthDate == "" {
		return errs.Required("birthDate")
	}
	birth, err := identity.ParseDate(in.BirthDate)
	if err != nil {
		return errs.InvalidField("birthDate", "must be a real date as YYYY-MM-DD")
	}
	if age := identity.Age(birth, now); age < MinAge || age > MaxAge {
		return errs.InvalidField("birthDate", "borrower must be %d to %d years old", MinAge, MaxAge)
	}
	if err := text("email", &in.Email, 0, 64); err != nil {
		return err
	}
	if in.Email != "" {
		if identity.ValidEmail(in.Email) != nil {
			return errs.InvalidField("email", "must be a valid e-mail address")
		}
		in.Email = strings.ToLower(in.Email)
	}
	if err := oneOf("maritalStatus", in.MaritalStatus, MaritalStatuses); err != nil {
		return err
	}
	if err := oneOf("education", in.Education, Educations); err != nil {
		return err
	}
	if in.Nationality == "" {
		in.Nationality = s.Config.DefaultCountry
	}
	if !identity.IsCountry(in.Nationality) {
		return errs.InvalidField("nationality", "must be an ISO 3166 alpha-2 country code such as NG")
	}
	if in.IDCountry == "" {
		in.IDCountry = in.Nationality
	}
	if !identity.IsCountry(in.IDCountry) {
		return errs.InvalidField("idCountry", "must be an ISO 3166 alpha-2 country code such as NG")
	}
	if err := oneOf("idType", in.IDType, IDTypes); err != nil {
		return err
	}
	if err := checkIDNumber(in, birth); err != nil {
		return err
	}
	if in.IDValidDate != "" {
		valid, err := identity.ParseDate(in.IDValidDate)
		if err != nil {
			return errs.InvalidField("idValidDate", "must be a real date as YYYY-MM-DD")
		}
		if valid.Before(now.Truncate(24 * time.Hour)) {
			return errs.InvalidField("idValidDate", "the ID document has expired")
		}
	}
	if err := text("state", &in.State, 1, 100); err != nil {
		return err
	}
	if err := text("cityCode", &in.CityCode, 1, 32); err != nil {
		return err
	}
	return text("address", &in.Address, 5, 256)
}

// checkIDNumber applies the rules of the ID's country and type: a Nigerian
// identity number is the 11-digit BVN (as in the app's loan records); a
// Chinese resident ID has a checksum and must carry the birth date.
func checkIDNumber(in *BasicInfoInput, birth time.Time) error {
	if err := text("idNumber", &in.IDNumber, 1, 64); err != nil {
		return err
	}
	in.IDNumber = strings.ToUpper(strings.ReplaceAll(in.IDNumber, " ", ""))
	switch {
	case in.IDType == "identity_card" && in.IDCountry == "NG":
		if identity.ValidBVN(in.IDNumber) != nil {
			return errs.InvalidField("idNumber", "a Nigerian identity number (BVN) must be exactly 11 digits")
		}
	case in.IDType == "identity_card" && in.IDCountry == "CN":
		b, err := identity.ChinaResidentID(in.IDNumber)
		if err != nil {
			return errs.InvalidField("idNumber", "is not a valid Chinese resident ID (%v)", err)
		}
		if !b.Equal(birth) {
			return errs.InvalidField("idNumber", "its birth date does not match birthDate")
		}
	case in.IDType == "passport":
		if n := len(in.IDNumber); n < 5 || n > 20 {
			return errs.InvalidField("idNumber", "a passport number must be 5 to 20 letters or digits")
		}
		for _, r := range in.IDNumber {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return errs.InvalidField("idNumber", "a passport number must be 5 to 20 letters or digits")
			}
		}
	}
	return nil
}

// ContactInput is one emergency contact as sent.
type ContactInput struct {
	Name         string
	Mobile       string
	CountryCode  string
	Relationship string
}

// SaveContacts replaces the borrower's emergency contacts: MinContacts to
// MaxContacts, valid phones, no phone twice, not the borrower's own.
func (s *Service) SaveContacts(ctx context.Context, userID int64, in []ContactInput) error {
	if len(in) < s.Config.MinContacts {
		return errs.InvalidField("contacts", "must list at least %d contacts", s.Config.MinContacts)
	}
	if len(in) > s.Config.MaxContacts {
		return errs.InvalidField("contacts", "must list at most %d contacts", s.Config.MaxContacts)
	}
	cs := make([]Contact, len(in))
	seen := map[string]int{}
	for i, c := range in {
		field := fmt.Sprintf("contacts[%d]", i)
		if err := name("name", &c.Name, 1, 50); err != nil {
			return errs.WithField(field, err)
		}
		phone, _, _, err := s.phone(c.Mobile, c.CountryCode, "mobile")
		if err != nil {
			return errs.WithField(field, err)
		}
		if j, dup := seen[phone]; dup {
			return errs.InvalidField(field+".mobile", "repeats contacts[%d].mobile; each contact needs their own phone", j)
		}
		seen[phone] = i
		if err := oneOf("relationship", c.Relationship, Relationships); err != nil {
			return errs.WithField(field, err)
		}
		cs[i] = Contact{Name: c.Name, Phone: phone, Relationship: c.Relationship}
	}
	now := s.now()
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if j, own := seen[u.Phone]; own {
			return errs.InvalidField(fmt.Sprintf("contacts[%d].mobile", j), "must not be your own phone")
		}
		return tx.ReplaceContacts(ctx, userID, cs, now)
	})
}

// WorkInput is the work-information step.
type WorkInput struct {
	CompanyName, CompanyPhone, CompanyAddress, Profession, IncomeCode string
}

// SaveWork validates and stores the borrower's work information.
func (s *Service) SaveWork(ctx context.Context, userID int64, in WorkInput) error {
	if err := text("companyName", &in.CompanyName, 1, 100); err != nil {
		return err
	}
	phone, _, _, err := s.phone(in.CompanyPhone, "", "companyPhone")
	if err != nil {
		return err
	}
	if err := text("companyAddress", &in.CompanyAddress, 5, 256); err != nil {
		return err
	}
	if err := text("profession", &in.Profession, 1, 64); err != nil {
		return err
	}
	if err := text("incomeCode", &in.IncomeCode, 1, 32); err != nil {
		return err
	}
	w := &Work{CompanyName: in.CompanyName, CompanyPhone: phone, CompanyAddress: in.CompanyAddress,
		Profession: in.Profession, IncomeCode: in.IncomeCode, UpdatedAt: s.now()}
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		ok, err := tx.IncomeBandExists(ctx, in.IncomeCode)
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("incomeCode", "must be a code from GET /dict/incomes")
		}
		return tx.SaveWork(ctx, userID, w)
	})
}

// Overview is everything the app shows on the profile screen.
type Overview struct {
	User     *User
	Profile  *Profile // nil until the basic step is done
	Contacts []Contact
	Work     *Work // nil until the work step is done
	Default  *BankCard

	idSealed []byte // the profile's sealed ID number, opened only for a Dossier
}

// SetSealedID sets the profile's sealed ID number (for the store).
func (o *Overview) SetSealedID(sealed []byte) { o.idSealed = sealed }

// Overview reads the borrower's profile with personal numbers masked.
func (s *Service) Overview(ctx context.Context, userID int64) (*Overview, error) {
	var o *Overview
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		o, err = tx.Overview(ctx, userID)
		return err
	})
	return o, err
}

// Step is one step of the profile the app walks through.
type Step struct {
	Name string
	Done bool
}

// Step names in the order the app walks them.
const (
	StepBasic    = "basic"
	StepContacts = "contacts"
	StepWork     = "work"
	StepBankCard = "bankCard"
)

// AuthStatus says which profile steps are complete, in the app's order.
func (s *Service) AuthStatus(ctx context.Context, userID int64) ([]Step, error) {
	o, err := s.Overview(ctx, userID)
	if err != nil {
		return nil, err
	}
	return o.Steps(), nil
}

// Steps derives the completion of each step from the overview.
func (o *Overview) Steps() []Step {
	return []Step{
		{StepBasic, o.Profile != nil},
		{StepContacts, len(o.Contacts) >= 2},
		{StepWork, o.Work != nil},
		{StepBankCard, o.Default != nil},
	}
}

// Complete reports whether every step is done.
func Complete(steps []Step) bool {
	for _, st := range steps {
		if !st.Done {
			return false
		}
	}
	return true
}

// Dossier is a borrower's file as underwriting reads it: the overview
// with the ID number and the default account's number in the clear, and
// the newest attached credit report. It is for in-process decisions only and is never shown
// or logged.
type Dossier struct {
	Overview
	IDNumber      string        // the profile's ID number; "" without a profile
	AccountNumber string        // the default bank account's number; "" without one
	CreditReport  *CreditReport // the newest attached report; nil without one
}

// Dossier reads the borrower's file for underwriting, the overview and
// the newest report in one read. No application is decided on an
// incomplete profile, so then it is the overview alone: no number is
// decrypted and the report is left out.
func (s *Service) Dossier(ctx context.Context, userID int64) (*Dossier, error) {
	d := &Dossier{}
	complete := false
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		o, cr, err := tx.OverviewAndCreditReport(ctx, userID)
		if err != nil {
			return err
		}
		d.Overview = *o
		if complete = Complete(d.Steps()); complete {
			d.CreditReport = cr
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !complete {
		return d, nil
	}
	if d.Profile != nil && len(d.idSealed) > 0 {
		if d.IDNumber, err = s.Vault.OpenString(d.idSealed, profileAAD(userID)); err != nil {
			return nil, fmt.Errorf("account: open ID number of borrower %d: %w", userID, err)
		}
	}
	if c := d.Default; c != nil && len(c.accountSealed) > 0 {
		if d.AccountNumber, err = s.Vault.OpenString(c.accountSealed, cardAAD(c)); err != nil {
			return nil, fmt.Errorf("account: open account number of card %d: %w", c.ID, err)
		}
	}
	return d, nil
}
