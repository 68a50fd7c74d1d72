package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// badLoanIDs are loan ids no loan can have, each breaking one rule of
// loan.ParseID: required, positive, within int64, ASCII digits only.
var badLoanIDs = []struct{ name, id string }{
	{"an empty id", ""},
	{"a zero id", "0"},
	{"a negative id", "-1"},
	{"an id past int64", "9223372036854775808"},
	{"an id with an exponent", "1e3"},
	{"an id with a leading space", " 1"},
	{"an id in Arabic-Indic digits", "١"},
}

// TestLoanIDsAreCheckedAtEveryEntryPoint sends each malformed loan id to
// every app, operator and console entry point that takes one: each is a
// 400 naming the id field, never a 404 or a 500. A well-formed id of
// another borrower's loan stays a 404.
func TestLoanIDsAreCheckedAtEveryEntryPoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		reviewer := a.as(a.staff("reviewer@lender.example", staff.Reviewer))
		tok := a.borrower("08035550501")
		other := a.borrower("08035550502")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		mine := a.latest(tok).ID
		key := "Idempotency-Key: loan-id-test"

		t.Run("the app and operator API answer 400 naming the id", func(t *testing.T) {
			for _, bad := range badLoanIDs {
				path := url.PathEscape(bad.id)
				cases := []struct {
					name         string
					method, path string
					body         any
					token        string
					headers      []string
				}{
					{"a repayment's GET", "GET", "/loan/record/repay?id=" + url.QueryEscape(bad.id), nil, tok, nil},
					{"a repayment's POST with the id as a string", "POST", "/loan/record/repay", map[string]string{"id": bad.id}, tok, []string{key}},
					{"an operator's loan", "GET", "/ops/loans/" + path, nil, testOpsToken, nil},
					{"an operator's approval", "POST", "/ops/loans/" + path + "/approve", map[string]string{"reviewer": "ops"}, testOpsToken, nil},
					{"an operator's rejection", "POST", "/ops/loans/" + path + "/reject", map[string]string{"reviewer": "ops"}, testOpsToken, nil},
					{"an operator's payout retry", "POST", "/ops/loans/" + path + "/payout/retry", map[string]string{"operator": "ops"}, testOpsToken, nil},
					{"an operator's payout cancel", "POST", "/ops/loans/" + path + "/payout/cancel", map[string]string{"operator": "ops", "reason": "x"}, testOpsToken, nil},
				}
				for _, c := range cases {
					if bad.id == "" && strings.HasPrefix(c.path, "/ops/") {
						continue // an empty path segment is another route
					}
					t.Run(c.name+" refuses "+bad.name, func(t *testing.T) {
						r := a.req(c.method, c.path, c.body, c.token, c.headers...)
						if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Message, "id:") {
							t.Errorf("%s %s = %d %q; want 400 naming id", c.method, c.path, r.Status, r.Message)
						}
					})
				}
			}
		})

		t.Run("a repayment's POST refuses ids sent as JSON numbers no loan can have", func(t *testing.T) {
			for _, n := range []string{"0", "-1", "9223372036854775808", "1e3", "1.5", "true", "{}"} {
				r := a.req("POST", "/loan/record/repay", `{"id": `+n+`}`, tok, key)
				if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Message, "id:") {
					t.Errorf(`{"id": %s} = %d %q; want 400 naming id`, n, r.Status, r.Message)
				}
			}
		})

		t.Run("the console answers 400 naming the id", func(t *testing.T) {
			for _, bad := range badLoanIDs {
				path := url.PathEscape(bad.id)
				cases := []struct {
					name, method, path string
					form               url.Values
				}{
					{"the loan search", "GET", "/console/loans?id=" + url.QueryEscape(bad.id), nil},
					{"a loan's page", "GET", "/console/loans/" + path, nil},
					{"a loan's photo", "GET", "/console/loans/" + path + "/photos/1", nil},
					{"a loan's review", "GET", "/console/review/loans/" + path, nil},
					{"taking a loan for review", "POST", "/console/review/loans/" + path + "/take", url.Values{"csrf": {reviewer.csrf}}},
					{"deciding a loan", "POST", "/console/review/loans/" + path + "/decide", url.Values{"csrf": {reviewer.csrf}, "action": {"reject"}, "reason": {"x"}}},
					{"retrying a payout", "POST", "/console/loans/" + path + "/payout/retry", url.Values{"csrf": {reviewer.csrf}}},
					{"cancelling a payout", "POST", "/console/loans/" + path + "/payout/cancel", url.Values{"csrf": {reviewer.csrf}, "reason": {"x"}}},
				}
				for _, c := range cases {
					if bad.id == "" {
						continue // no id is no filter in the search, and another route elsewhere
					}
					t.Run(c.name+" refuses "+bad.name, func(t *testing.T) {
						st, body := reviewer.do(c.method, c.path, c.form)
						if st != http.StatusBadRequest || !strings.Contains(body, "id: ") {
							t.Errorf("%s %s = %d; want 400 naming id: %.2000s", c.method, c.path, st, body)
						}
					})
				}
			}
		})

		t.Run("another borrower's loan is not found", func(t *testing.T) {
			if r := a.req("GET", "/loan/record/repay?id="+mine, nil, other); r.Status != http.StatusNotFound {
				t.Errorf("GET another's repayment = %d %q; want 404", r.Status, r.Message)
			}
			if r := a.req("POST", "/loan/record/repay", map[string]string{"id": mine}, other, key); r.Status != http.StatusNotFound {
				t.Errorf("POST another's repayment = %d %q; want 404", r.Status, r.Message)
			}
		})

		t.Run("a well-formed id of no loan is not found", func(t *testing.T) {
			if r := a.req("GET", "/ops/loans/9223372036854775807", nil, testOpsToken); r.Status != http.StatusNotFound {
				t.Errorf("operator's loan = %d %q; want 404", r.Status, r.Message)
			}
			if st, _ := reviewer.do("GET", "/console/loans/9223372036854775807", nil); st != http.StatusNotFound {
				t.Errorf("console loan page = %d; want 404", st)
			}
		})
	})
}

// TestConsoleReviewQueueShowsWhoHoldsALoan renders the queue with a taken
// loan: its claim is found by the loan's id in decimal, and the page is
// whole.
func TestConsoleReviewQueueShowsWhoHoldsALoan(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		rita := a.as(a.staff("rita@lender.example", staff.Reviewer))
		id := a.latest(a.reviewLoan()).ID
		if st, _ := rita.do("POST", "/console/review/loans/"+id+"/take", url.Values{"csrf": {rita.csrf}}); st != http.StatusSeeOther {
			t.Fatalf("take = %d", st)
		}
		st, body := rita.do("GET", "/console/review/loans", nil)
		if st != http.StatusOK || !strings.Contains(body, `href="/console/review/loans/`+id+`"`) ||
			!strings.Contains(body, `<span class="badge warn">rita@lender.example</span>`) || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
			t.Fatalf("review queue = %d: %.3000s", st, body)
		}
	})
}
