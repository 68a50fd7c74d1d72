package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditpocket/internal/loan"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

func TestConsolePayoutCancelInBrowser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		reviewer := a.staff("rita@example.com", staff.Reviewer)
		tok := a.borrower("08035550402")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		id := a.latest(tok).ID
		if err := a.app.Repay.HandlePayment(context.Background(), loan.PaymentResult{Reference: payoutRef(id, 1),
			Reason: "account closed", Code: "account_closed"}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, a, string(e)+"-payout")
		b.signIn(reviewer)
		if got := b.text(`[data-figure=payouts-waiting] strong`); got != "1" {
			t.Errorf("dashboard shows %q payouts waiting", got)
		}
		b.open("/console/loans/"+id, "#payout-failed")
		b.screenshot("payout-failed")
		if got := b.text(`#payout-failed`); !strings.Contains(got, "account_closed") || !strings.Contains(got, "waits for an operator") {
			t.Errorf("payout card says %q", got)
		}
		b.do("cancel the loan with a reason",
			chromedp.SendKeys(chromedp.CSS(`form[action$="/payout/cancel"] input[name=reason]`), "the borrower closed the account"),
			chromedp.Click(chromedp.CSS(`#payout-cancel`)),
			// #loan-status is on the page before the cancel too: wait for
			// the card to go, which only the answer's page does.
			chromedp.WaitNotPresent(chromedp.CSS(`#payout-failed`)),
			chromedp.WaitVisible(chromedp.CSS(`#loan-status`)))
		b.screenshot("payout-cancelled")
		if got := b.text(`#loan-status`); got != "cancelled" {
			t.Errorf("status badge says %q", got)
		}
		if b.count(`#payout-failed`) != 0 {
			t.Error("the payout card is still shown after the cancel")
		}
		if got := b.text(`ol.timeline`); !strings.Contains(got, "payout cancelled by rita@example.com: the borrower closed the account") {
			t.Errorf("timeline: %q", got)
		}
	})
}
