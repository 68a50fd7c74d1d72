package risk

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestMemVelocityIsExact compares MemVelocity with a brute-force count over
// a random, partly out-of-order stream of events.
func TestMemVelocityIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var m MemVelocity
	var seen []Observation
	start := testNow.Add(-60 * 24 * time.Hour)
	at := start
	for i := range 3000 {
		at = at.Add(time.Duration(rng.IntN(40)) * time.Minute)
		o := Observation{
			At:       at.Add(-time.Duration(rng.IntN(3)) * time.Minute), // slightly out of order
			IDNumber: []string{"I1", "I2", "I3"}[rng.IntN(3)],
			Phone:    []string{"P1", "P2", "P3", "P4"}[rng.IntN(4)],
			Device:   []string{"D1", "D2", ""}[rng.IntN(3)],
			IP:       []string{"A1", "A2"}[rng.IntN(2)],
			Card:     []string{"C1", ""}[rng.IntN(2)],
		}
		seen = append(seen, o)
		got, err := m.Observe(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteCounts(seen, o); got != want {
			t.Fatalf("event %d at %s:\n got %+v\nwant %+v", i, o.At, got, want)
		}
	}
}

func bruteCounts(all []Observation, o Observation) VelocityCounts {
	var c VelocityCounts
	phones, ids := map[string]bool{}, map[string]bool{}
	for _, e := range all {
		if e.At.After(o.At) {
			continue
		}
		for w := range NumWindows {
			if !e.At.After(o.At.Add(-w.Duration())) {
				continue
			}
			for _, k := range []struct {
				mine, theirs string
				into         *[NumWindows]int
			}{{o.IDNumber, e.IDNumber, &c.IDNumber}, {o.Phone, e.Phone, &c.Phone}, {o.Device, e.Device, &c.Device}, {o.IP, e.IP, &c.IP}, {o.Card, e.Card, &c.Card}} {
				if k.mine != "" && k.mine == k.theirs {
					k.into[w]++
				}
			}
			if w == Month {
				if e.IDNumber == o.IDNumber && e.Phone != "" {
					phones[e.Phone] = true
				}
				if o.Device != "" && e.Device == o.Device {
					ids[e.IDNumber] = true
				}
			}
		}
	}
	if o.Phone != "" {
		c.PhonesPerID = len(phones)
	}
	c.IDsPerDevice = len(ids)
	return c
}

func TestMemLists(t *testing.T) {
	now := testNow
	m := &MemLists{Now: func() time.Time { return now }}
	add := func(list ListName, expires time.Time) {
		if err := m.Add(ListEntry{Kind: KindPhone, Value: "+234 803 123 4567", List: list, Reason: string(list), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func() (ListName, bool) {
		e, ok, err := m.Lookup(context.Background(), KindPhone, "2348031234567")
		if err != nil {
			t.Fatal(err)
		}
		return e.List, ok
	}
	if _, ok := lookup(); ok {
		t.Fatal("an empty store found an entry")
	}
	add(Whitelist, time.Time{})
	if l, _ := lookup(); l != Whitelist {
		t.Errorf("got %q, want the whitelist entry", l)
	}
	add(Greylist, time.Time{})
	if l, _ := lookup(); l != Greylist {
		t.Errorf("got %q, want grey to beat white", l)
	}
	add(Blacklist, now.Add(time.Hour))
	if l, _ := lookup(); l != Blacklist {
		t.Errorf("got %q, want black to beat grey", l)
	}
	now = now.Add(time.Hour)
	if l, _ := lookup(); l != Greylist {
		t.Errorf("got %q after the blacklisting expired, want grey", l)
	}
	if _, ok, _ := m.Lookup(context.Background(), KindIDNumber, "2348031234567"); ok {
		t.Error("a phone entry matched an ID number lookup")
	}
	if err := m.Add(ListEntry{Kind: KindPhone, Value: "not a phone", List: Blacklist, Reason: "x"}); err == nil {
		t.Error("an invalid entry was stored")
	}
}

func TestMemContacts(t *testing.T) {
	var m MemContacts
	ctx := context.Background()
	steps := []struct {
		applicant string
		phones    []string
		want      []int
	}{
		{"A", []string{"p1", "p2"}, []int{0, 0}},
		{"B", []string{"p1"}, []int{1}},
		{"A", []string{"p1", "p3"}, []int{1, 0}}, // A again: still one other
		{"C", []string{"p1", "p2"}, []int{2, 1}},
	}
	for _, s := range steps {
		got, err := m.Observe(ctx, s.applicant, s.phones)
		if err != nil || len(got) != len(s.want) {
			t.Fatalf("Observe(%s) = %v, %v", s.applicant, got, err)
		}
		for i := range got {
			if got[i] != s.want[i] {
				t.Errorf("Observe(%s, %v) = %v, want %v", s.applicant, s.phones, got, s.want)
				break
			}
		}
	}
}
