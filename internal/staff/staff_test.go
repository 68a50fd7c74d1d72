package staff

import (
	"testing"
	"time"
)

func TestRolesArePermittedOnlyTheirAreas(t *testing.T) {
	for _, tc := range []struct {
		role Role
		perm Permission
		want bool
	}{
		{Viewer, ViewLoans, true},
		{Viewer, ReviewLoans, false},
		{Reviewer, ReviewKYC, true},
		{Reviewer, ManageStaff, false},
		{Admin, ManageStaff, true},
		{Admin, ReviewLoans, false},
		{RiskOfficer, ManageRisk, true},
		{Collections, WorkCollections, true},
		{Role("root"), ViewDashboard, false},
	} {
		if got := tc.role.Can(tc.perm); got != tc.want {
			t.Errorf("%s can %s = %v, want %v", tc.role, tc.perm, got, tc.want)
		}
	}
}

func TestTOTPCodesMatchOncePerStep(t *testing.T) {
	secret, uri, err := NewTOTP("creditpocket", "ada@example.com")
	if err != nil || uri == "" {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC)
	code, _ := Code(secret, now)
	step, ok := MatchTOTP(secret, code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("fresh code: step %d ok %v", step, ok)
	}
	if _, ok := MatchTOTP(secret, code, now, step); ok {
		t.Error("the same step was accepted twice")
	}
	if _, ok := MatchTOTP(secret, code, now.Add(30*time.Second), 0); !ok {
		t.Error("a code one step old was refused (clock skew)")
	}
	if _, ok := MatchTOTP(secret, code, now.Add(90*time.Second), 0); ok {
		t.Error("a code three steps old was accepted")
	}
	if _, ok := MatchTOTP(secret, "12345", now, 0); ok {
		t.Error("a five-digit code was accepted")
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	var es []Entry
	prev, seq := "", int64(0)
	for i, a := range []string{"signin", "loan.approve", "signout"} {
		e := Entry{At: time.Unix(int64(1000+i), 0), Actor: "ada@example.com", Action: a, Target: "loan 1"}
		e.Seal(seq, prev)
		prev, seq = e.Hash, e.Seq
		es = append(es, e)
	}
	verify := func(es []Entry) error {
		var v Verifier
		for i := range es {
			v.Add(&es[i])
		}
		return v.Broken
	}
	if err := verify(es); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	for name, change := range map[string]func([]Entry) []Entry{
		"a changed detail": func(es []Entry) []Entry { es[1].Detail = "x"; return es },
		"a removed entry":  func(es []Entry) []Entry { return append(es[:1:1], es[2]) },
		"swapped entries":  func(es []Entry) []Entry { es[0], es[1] = es[1], es[0]; return es },
		"a rehashed change": func(es []Entry) []Entry {
			es[1].Actor = "eve"
			es[1].Hash = ChainHash(es[1].PrevHash, &es[1])
			return es
		},
	} {
		t.Run(name+" breaks the chain", func(t *testing.T) {
			if err := verify(change(append([]Entry(nil), es...))); err == nil {
				t.Fatal("not detected")
			}
		})
	}
}
