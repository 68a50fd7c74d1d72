package console

import (
	"crypto/rand"
	"net/http"

	"creditpocket/internal/errs"
	"creditpocket/internal/staff"
)

// Staff administration and the audit log (admin only).

func (c *Console) staffList(q *request) error {
	return c.showStaff(q, http.StatusOK, nil, "")
}

func (c *Console) showStaff(q *request, code int, created *createdStaff, message string) error {
	list, err := c.d.Staff.List(q.ctx())
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, code, "staff", map[string]any{"Staff": list, "Roles": staff.Roles(), "Created": created, "Message": message})
	return nil
}

// createdStaff is shown once after creation: the generated password and
// the TOTP enrolment are never shown again.
type createdStaff struct {
	Email, Role, Password, Secret, URI string
	Reset                              bool // new credentials for an existing member
}

// staffCreate adds a staff member with a generated password.
func (c *Console) staffCreate(q *request) error {
	password := GeneratePassword()
	en, err := c.d.Staff.Create(q.ctx(), staff.CreateInput{Email: q.r.PostFormValue("email"), Role: staff.Role(q.r.PostFormValue("role")),
		Password: password, By: q.actor})
	if err != nil {
		if status(err) == http.StatusBadRequest {
			return c.showStaff(q, http.StatusBadRequest, nil, err.Error())
		}
		return err
	}
	return c.showStaff(q, http.StatusOK, &createdStaff{Email: en.Staff.Email, Role: string(en.Staff.Role), Password: password,
		Secret: en.TOTPSecret, URI: en.TOTPURI}, "")
}

// staffRole changes a member's role (not one's own).
func (c *Console) staffRole(q *request) error {
	err := c.d.Staff.SetRole(q.ctx(), q.r.PostFormValue("email"), staff.Role(q.r.PostFormValue("role")), q.actor)
	if err != nil {
		if code := status(err); code == http.StatusBadRequest || code == http.StatusForbidden {
			return c.showStaff(q, code, nil, errs.Message(err))
		}
		return err
	}
	return q.redirect("/console/staff")
}

// staffReset gives a member a new generated password and TOTP secret,
// shown once (not one's own).
func (c *Console) staffReset(q *request) error {
	password := GeneratePassword()
	en, err := c.d.Staff.Reset(q.ctx(), q.r.PostFormValue("email"), password, q.actor)
	if err != nil {
		if code := status(err); code == http.StatusBadRequest || code == http.StatusForbidden {
			return c.showStaff(q, code, nil, errs.Message(err))
		}
		return err
	}
	return c.showStaff(q, http.StatusOK, &createdStaff{Email: en.Staff.Email, Role: string(en.Staff.Role), Password: password,
		Secret: en.TOTPSecret, URI: en.TOTPURI, Reset: true}, "")
}

func (c *Console) staffDisable(q *request) error {
	if err := c.d.Staff.Disable(q.ctx(), q.r.PostFormValue("email"), q.actor); err != nil {
		return err
	}
	return q.redirect("/console/staff")
}

// GeneratePassword returns a random 20-character password from an
// alphabet without look-alike characters (about 113 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIndex(len(alphabet))]
	}
	return string(b)
}

// randIndex is a uniform random index below n (rejection sampling).
func randIndex(n int) int {
	limit := 256 - 256%n
	var one [1]byte
	for {
		_, _ = rand.Read(one[:])
		if int(one[0]) < limit {
			return int(one[0]) % n
		}
	}
}

// auditLog pages through the audit log, newest first; ?verify=1 also
// walks the whole chain.
func (c *Console) auditLog(q *request) error {
	p := pageParam(q)
	res, err := c.d.Staff.AuditPage(q.ctx(), p)
	if err != nil {
		return err
	}
	data := map[string]any{"Entries": res.Items, "Pager": newPager(q, p, res.Total)}
	if q.r.URL.Query().Get("verify") == "1" {
		n, broken, err := c.d.Staff.VerifyAudit(q.ctx())
		if err != nil {
			return err
		}
		data["Verified"] = true
		data["Checked"] = n
		if broken != nil {
			data["Broken"] = broken.Error()
		}
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "audit", data)
	return nil
}
