package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/staff"
)

// signInPage shows the sign-in form with a fresh pre-session CSRF token.
func (c *Console) signInPage(q *request) error {
	c.showSignIn(q, http.StatusOK, "", q.r.URL.Query().Get("next"))
	return nil
}

func (c *Console) showSignIn(q *request, code int, message, next string) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	c.setCookie(q, preCookie, token, 600)
	c.render(q.w, q.r, nil, code, "signin", map[string]any{"Token": token, "Message": message, "Next": safeNext(next)})
}

// signIn checks the form and opens a session. Every refusal shows the
// same message (staff.ErrSignIn) except a lockout, which says until when.
func (c *Console) signIn(q *request) error {
	r := q.r
	pre, err := r.Cookie(preCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), pre.Value) {
		return errs.E(errs.Forbidden, "the sign-in form expired; reload the page and try again")
	}
	next := safeNext(r.PostFormValue("next"))
	sess, token, err := c.d.Staff.SignIn(q.ctx(), staff.SignInInput{
		Email: r.PostFormValue("email"), Password: r.PostFormValue("password"),
		Code: strings.TrimSpace(r.PostFormValue("code")), IP: q.actor.IP, UserAgent: q.actor.UserAgent,
	})
	if err != nil {
		if code := status(err); code == http.StatusUnauthorized || code == http.StatusTooManyRequests {
			c.showSignIn(q, code, errs.Message(err), next)
			return nil
		}
		return err
	}
	c.setCookie(q, preCookie, "", -1)
	c.setCookie(q, sessionCookie, token, int(sess.ExpiresAt.Sub(sess.CreatedAt).Seconds()))
	return q.redirect(next)
}

func (c *Console) signOut(q *request) error {
	if err := c.d.Staff.SignOut(q.ctx(), q.sess, q.actor); err != nil {
		return err
	}
	c.setCookie(q, sessionCookie, "", -1)
	return q.redirect("/console/signin")
}
