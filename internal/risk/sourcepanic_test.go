package risk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// panickyVelocity is a velocity source with a bug.
type panickyVelocity struct{}

func (panickyVelocity) Observe(context.Context, Observation) (VelocityCounts, error) {
	var m map[string]int
	m["boom"]++ // assignment to entry in nil map
	return VelocityCounts{}, nil
}

type panickyGatherer struct{}

func (panickyGatherer) Gather(context.Context, *Lookup, *Gathered) { panic("gatherer bug") }

// TestASourcePanicReachesTheCaller: sources are asked in goroutines of
// their own, where a panic used to end the whole process (every request
// in flight with it). It is raised again in the caller's goroutine, where
// the HTTP edge answers a logged 500, carrying the source's stack.
func TestASourcePanicReachesTheCaller(t *testing.T) {
	tb := setup(t)
	for _, tc := range []struct {
		name    string
		sources Sources
		want    string
	}{
		{"a source asked on its own", Sources{Lists: tb.lists, Velocity: panickyVelocity{}, Contacts: tb.contacts, History: tb.history}, "assignment to entry in nil map"},
		{"a gatherer asked for everything", Sources{Gatherer: panickyGatherer{}}, "gatherer bug"},
	} {
		t.Run("a panic in "+tc.name+" is raised in the caller's goroutine", func(t *testing.T) {
			e := NewEngine(DefaultPolicy(), Config{Sources: tc.sources, Now: func() time.Time { return testNow }})
			defer func() {
				p := recover()
				var sp *SourcePanic
				err, _ := p.(error)
				if !errors.As(err, &sp) || !strings.Contains(sp.Error(), tc.want) || !strings.Contains(string(sp.Stack()), "risk.") {
					t.Fatalf("recovered %v; want a *SourcePanic with %q and the source's stack", p, tc.want)
				}
			}()
			_, _ = e.Decide(context.Background(), Input{Event: fixtureEvent(t)})
			t.Fatal("Decide returned")
		})
	}
}
