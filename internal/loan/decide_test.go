package loan

import (
	"context"
	"errors"
	"testing"
	"time"
)

// memLists is an in-memory Lists keyed by kind and normalised value.
type memLists map[ListKind]map[string]ListName

func (m memLists) LookupLists(_ context.Context, probes []ListProbe, _ time.Time) ([]ListHit, error) {
	var hits []ListHit
	for _, p := range probes {
		if l, ok := m[p.Kind][p.Value]; ok {
			hits = append(hits, ListHit{Kind: p.Kind, List: l})
		}
	}
	return hits, nil
}

type failingLists struct{}

func (failingLists) LookupLists(context.Context, []ListProbe, time.Time) ([]ListHit, error) {
	return nil, errors.New("database down")
}

func TestDefaultPolicyDecides(t *testing.T) {
	p := DemoProducts()[0]
	b := Borrower{Phone: "2347068425023", IDNumber: "22167288734", Email: "Hussein@Example.com"}
	cases := []struct {
		name    string
		lists   memLists
		product Product
		history History
		want    Decision
		reason  string
	}{
		{"a clean eligible borrower is approved", nil, p, History{}, Accept, ReasonEligible},
		{"a blacklisted BVN is rejected with the seed's reason", memLists{ListIDNumber: {"22167288734": Blacklist}}, p, History{}, Reject, ReasonBlacklistedID},
		{"a blacklisted phone is rejected", memLists{ListPhone: {"2347068425023": Blacklist}}, p, History{}, Reject, ReasonBlacklisted},
		{"a blacklisting wins over a whitelisting", memLists{ListPhone: {"2347068425023": Whitelist}, ListIDNumber: {"22167288734": Blacklist}}, p, History{}, Reject, ReasonBlacklistedID},
		{"a whitelisted phone is approved with the seed's reason", memLists{ListPhone: {"2347068425023": Whitelist}}, p, History{}, Accept, ReasonWhitelist},
		{"a greylisted e-mail goes to manual review", memLists{ListEmail: {"hussein@example.com": Greylist}}, p, History{}, Review, ReasonGreylisted},
		{"too few settled loans is rejected even when whitelisted", memLists{ListPhone: {"2347068425023": Whitelist}}, DemoProducts()[3], History{Settled: 1}, Reject, "product 375 needs 3 settled loans, you have 1"},
		{"a written-off loan is rejected", nil, p, History{WrittenOff: 1}, Reject, "1 earlier loan(s) were written off"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := DefaultPolicy{Lists: c.lists}.Decide(context.Background(), DecisionInput{Borrower: b, Product: c.product, History: c.history})
			if err != nil {
				t.Fatal(err)
			}
			if v.Decision != c.want || v.Reason != c.reason {
				t.Fatalf("got %v %q, want %v %q", v.Decision, v.Reason, c.want, c.reason)
			}
			if v.Decision == Reject && v.Detail != DetailRejected {
				t.Fatalf("reject detail %q", v.Detail)
			}
		})
	}
	t.Run("a list that cannot be read fails the decision rather than approving", func(t *testing.T) {
		if _, err := (DefaultPolicy{Lists: failingLists{}}).Decide(context.Background(), DecisionInput{Borrower: b, Product: p}); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestNormalizeListValue(t *testing.T) {
	cases := []struct {
		kind      ListKind
		raw, want string
	}{
		{ListPhone, "+234 803-123 4567", "2348031234567"},
		{ListPhone, "00234 (803) 1234567", "2348031234567"},
		{ListPhone, "0803abc", ""},
		{ListIDNumber, " 2216-7288 734 ", "22167288734"},
		{ListIDNumber, "g123456a", "G123456A"},
		{ListIDNumber, "12/34", ""},
		{ListCard, "5399 8344 9075 9214", "5399834490759214"},
		{ListEmail, "Ada@Example.COM", "ada@example.com"},
		{ListEmail, "not an address", ""},
		{"unknown", "x", ""},
	}
	for _, c := range cases {
		t.Run(string(c.kind)+" "+c.raw, func(t *testing.T) {
			if got := NormalizeListValue(c.kind, c.raw); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzNormalizeListValue(f *testing.F) {
	for _, s := range []string{"+234 803", "22167288734", "a@b.c", "\x00", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, k := range []ListKind{ListPhone, ListIDNumber, ListCard, ListEmail, ListDevice, ListIP} {
			v := NormalizeListValue(k, raw)
			if v != "" && NormalizeListValue(k, v) != v {
				t.Fatalf("%s: normalising %q is not idempotent: %q then %q", k, raw, v, NormalizeListValue(k, v))
			}
		}
	})
}
