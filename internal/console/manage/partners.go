package manage

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/console"
	"creditpocket/internal/errs"
	"creditpocket/internal/partner"
)

// PartnerAdmin is the open-API credential registry (partner.Service).
type PartnerAdmin interface {
	List(ctx context.Context) ([]partner.Partner, error)
	Create(ctx context.Context, in partner.CreateInput) (*partner.Partner, string, error)
	Revoke(ctx context.Context, id string) error
}

// createdPartner is shown once, right after creation: the secret is not
// stored and cannot be shown again.
type createdPartner struct {
	ID, Name, Secret string
}

func (c *Pages) partnerAdmin() (PartnerAdmin, error) {
	if c.d.Partners == nil {
		return nil, errs.E(errs.Unavailable, "partner credentials are not wired into this console")
	}
	return c.d.Partners, nil
}

// partners lists the credentials with scopes, quota and usage.
func (c *Pages) partners(q *console.Page) error { return c.showPartners(q, http.StatusOK, nil, "") }

func (c *Pages) showPartners(q *console.Page, code int, created *createdPartner, message string) error {
	pa, err := c.partnerAdmin()
	if err != nil {
		return err
	}
	ps, err := pa.List(q.Context())
	if err != nil {
		return err
	}
	now := q.Now()
	type row struct {
		partner.Partner
		Scopes string
		State  string
	}
	rows := make([]row, 0, len(ps))
	for _, p := range ps {
		st := "active"
		switch {
		case !p.RevokedAt.IsZero():
			st = "revoked"
		case !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt):
			st = "expired"
		case p.Quota > 0 && p.Used >= p.Quota:
			st = "out of quota"
		}
		scopes := make([]string, len(p.Scopes))
		for i, s := range p.Scopes {
			scopes[i] = string(s)
		}
		rows = append(rows, row{Partner: p, Scopes: strings.Join(scopes, ", "), State: st})
	}
	q.Render(code, "partners", map[string]any{
		"Partners": rows, "Created": created, "Message": message, "AllScopes": partner.Scopes,
	})
	return nil
}

// partnerCreate issues credentials; the secret is shown on this page once.
func (c *Pages) partnerCreate(q *console.Page) error {
	pa, err := c.partnerAdmin()
	if err != nil {
		return err
	}
	if err := q.R.ParseForm(); err != nil {
		return errs.InvalidField("body", "is not a valid form")
	}
	f := q.R.PostForm
	in := partner.CreateInput{Name: f.Get("name")}
	for _, s := range f["scopes"] {
		in.Scopes = append(in.Scopes, partner.Scope(s))
	}
	var ferr error
	whole := func(field string) int64 {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil && ferr == nil {
			ferr = errs.InvalidField(field, "must be a whole number")
		}
		return n
	}
	in.Quota, in.RatePerSecond = whole("quota"), int(whole("rate"))
	if v := f.Get("expires"); v != "" && ferr == nil {
		in.ExpiresAt, ferr = c.day("expires", v)
		in.ExpiresAt = in.ExpiresAt.Add(24 * time.Hour) // valid through the day named
	}
	var p *partner.Partner
	var secret string
	if ferr == nil {
		p, secret, ferr = pa.Create(q.Context(), in)
	}
	if ferr != nil {
		if errs.ErrorCode(ferr).HTTPStatus() == http.StatusBadRequest {
			return c.showPartners(q, http.StatusBadRequest, nil, errs.Message(ferr))
		}
		return ferr
	}
	if err := q.Audit("partner.create", p.ID, fmt.Sprintf("%s: scopes %v, quota %d, rate %d/s", p.Name, p.Scopes, p.Quota, p.RatePerSecond)); err != nil {
		return err
	}
	return c.showPartners(q, http.StatusOK, &createdPartner{ID: p.ID, Name: p.Name, Secret: secret}, "")
}

// partnerRevoke revokes credentials at once.
func (c *Pages) partnerRevoke(q *console.Page) error {
	pa, err := c.partnerAdmin()
	if err != nil {
		return err
	}
	id := q.R.PathValue("id")
	if err := pa.Revoke(q.Context(), id); err != nil {
		return err
	}
	if err := q.Audit("partner.revoke", id, ""); err != nil {
		return err
	}
	return q.Redirect("/console/partners")
}
