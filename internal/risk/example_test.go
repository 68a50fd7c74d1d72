package risk_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"creditpocket/internal/risk"
	"creditpocket/internal/risk/event/eventtest"
)

// A BVN on the internal blacklist is rejected with the reason the app
// shows as auditRiskReson.
func Example() {
	lists := &risk.MemLists{}
	if err := lists.Add(risk.ListEntry{Kind: risk.KindIDNumber, Value: "22212345678", List: risk.Blacklist, Reason: "chargeback fraud", CreatedBy: "ops"}); err != nil {
		panic(err)
	}
	engine := risk.NewEngine(risk.DefaultPolicy(), risk.Config{
		Sources: risk.Sources{Lists: lists, Velocity: &risk.MemVelocity{}, Contacts: &risk.MemContacts{}, History: &risk.MemHistory{}},
	})

	body := bytes.NewReader(eventtest.Fixture()) // a Loan event, as POST /credit/fraud/v1 receives it
	now := time.Date(2026, 11, 20, 9, 20, 0, 0, time.UTC)
	ev, err := risk.DecodeEvent(body, now)
	if err != nil {
		fmt.Println(risk.FailedAnswer(err).Message)
		return
	}
	rec, err := engine.Decide(context.Background(), risk.Input{Event: ev})
	if err != nil {
		panic(err)
	}
	a := rec.Answer()
	fmt.Println(a.FinalDecision, a.FinalScore, a.HitRules[0].ID)
	fmt.Println(a.Reason)
	fmt.Println(a.ReasonDetail)
	// Output:
	// Reject 100 L01
	// BVN in the internal Blacklist
	// We sincerely apologize as you do not meet our lending criteria.
}
