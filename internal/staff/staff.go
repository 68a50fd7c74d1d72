// Package staff is the operator console's domain: staff accounts and their
// roles and permissions, password + TOTP sign-in with lockout and replay
// protection, console sessions, review-queue claims, and the hash-chained
// audit log of every staff action. It knows nothing of SQL or HTTP: the
// store implements Store, the console calls Service.
package staff

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
)

// Role is what a staff member is there to do.
type Role string

const (
	Admin       Role = "admin"       // staff, products, partners, audit log
	RiskOfficer Role = "risk"        // policies, lists, simulation
	Reviewer    Role = "reviewer"    // manual-review queues for loans and KYC
	Collections Role = "collections" // overdue loans
	Viewer      Role = "viewer"      // read-only
)

// Roles lists every role, in the order the console shows them.
func Roles() []Role { return []Role{Admin, RiskOfficer, Reviewer, Collections, Viewer} }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", errs.InvalidField("role", "must be one of admin, risk, reviewer, collections, viewer")
}

// Permission is one thing the console lets a role do. Routes name the
// permission they need; Role.Can is the only place that answers.
type Permission string

const (
	ViewDashboard   Permission = "dashboard.view"
	ViewLoans       Permission = "loans.view"
	ViewBorrowers   Permission = "borrowers.view"
	ReviewLoans     Permission = "review.loans"
	ReviewKYC       Permission = "review.kyc" // includes opening KYC documents (each view audited)
	WorkCollections Permission = "collections.work"
	ManageRisk      Permission = "risk.manage"
	ManageStaff     Permission = "staff.manage"
	ViewAudit       Permission = "audit.view"
	ManageProducts  Permission = "products.manage"
	ManagePartners  Permission = "partners.manage"
	ManagePayouts   Permission = "payouts.manage" // retry or cancel a failed payout
)

// everyone may read the book: the dashboard, loans and borrowers (with
// personal numbers masked).
var everyone = []Permission{ViewDashboard, ViewLoans, ViewBorrowers}

// grants is the role × permission table (docs/console.md prints it).
// Decisions are kept apart from administration: an admin manages staff
// but does not approve loans.
var grants = map[Role][]Permission{
	Admin:       append(slices.Clone(everyone), ManageStaff, ViewAudit, ManageProducts, ManagePartners),
	RiskOfficer: append(slices.Clone(everyone), ManageRisk),
	Reviewer:    append(slices.Clone(everyone), ReviewLoans, ReviewKYC, ManagePayouts),
	Collections: append(slices.Clone(everyone), WorkCollections),
	Viewer:      slices.Clone(everyone),
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// Staff is a console user. Staff accounts are separate from borrowers.
type Staff struct {
	ID           int64
	Email        string // lower-case; the sign-in name and what decisions record
	Role         Role
	PasswordHash string // argon2id PHC string
	TOTPSealed   []byte // the TOTP secret, sealed
	// LastTOTPStep is the 30-second step of the last code accepted; a
	// code of that step or an earlier one is refused (RFC 6238 §5.2).
	LastTOTPStep int64
	CreatedAt    time.Time
	CreatedBy    string
	DisabledAt   time.Time
}

// Disabled reports whether the account may no longer sign in.
func (s *Staff) Disabled() bool { return !s.DisabledAt.IsZero() }

// NormalizeEmail validates a staff e-mail address and lower-cases it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := identity.ValidEmail(s); err != nil {
		return "", errs.InvalidField("email", "%v", err)
	}
	return strings.ToLower(s), nil
}

// Session is a signed-in console browser. Only the SHA-256 of its token
// is stored; CSRF is the per-session token every form carries.
type Session struct {
	TokenHash string
	StaffID   int64
	CSRF      string
	IP        string
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time

	Staff *Staff // filled by Authenticate
}

// Actor is who does something, and from where, for the audit log.
type Actor struct {
	Email     string
	IP        string
	UserAgent string
}

// Claim is a staff member's hold on one review-queue item: while it lasts
// nobody else may decide the item.
type Claim struct {
	Queue     string // "loan" or "kyc"
	Item      string
	Holder    string // staff e-mail
	ExpiresAt time.Time
}

// Held reports whether the claim is live at now.
func (c *Claim) Held(now time.Time) bool {
	return c != nil && c.Holder != "" && now.Before(c.ExpiresAt)
}

func (c Claim) String() string {
	return fmt.Sprintf("%s %s held by %s until %s", c.Queue, c.Item, c.Holder, c.ExpiresAt.UTC().Format(time.TimeOnly))
}
