// Package replay runs recorded risk decisions again under a candidate
// policy and reports how the outcomes would change, before the candidate
// goes live.
package replay

import (
	"iter"

	"creditpocket/internal/risk"
)

// Mix counts decisions by outcome.
type Mix struct {
	Accept int `json:"accept"`
	Review int `json:"review"`
	Reject int `json:"reject"`
}

func (m *Mix) add(d risk.Decision) {
	switch d {
	case risk.Accept:
		m.Accept++
	case risk.Review:
		m.Review++
	case risk.Reject:
		m.Reject++
	}
}

// Transition counts records that moved from one decision to another.
type Transition struct {
	From  risk.Decision `json:"from"`
	To    risk.Decision `json:"to"`
	Count int           `json:"count"`
}

// Report compares the decisions recorded under the live policy
// with those a candidate policy would have made on the same features.
type Report struct {
	CandidateVersion string       `json:"candidate_version"`
	Records          int          `json:"records"`
	Live             Mix          `json:"live"`
	Candidate        Mix          `json:"candidate"`
	Changed          int          `json:"changed"`     // records whose decision differs
	Transitions      []Transition `json:"transitions"` // changed records by (from, to), in first-seen order

	// Feedback-based counts, over records whose repayment is known (only
	// approved loans have one).
	WithRepayment              int `json:"with_repayment"`
	Repaid                     int `json:"repaid"`
	Defaulted                  int `json:"defaulted"`
	LiveApprovedDefaulted      int `json:"live_approved_defaulted"`      // live said Accept, the loan defaulted
	CandidateApprovedDefaulted int `json:"candidate_approved_defaulted"` // candidate says Accept, the loan defaulted
	CandidateStoppedDefaulted  int `json:"candidate_stopped_defaulted"`  // live Accept, defaulted, candidate says Review or Reject
	CandidateStoppedRepaid     int `json:"candidate_stopped_repaid"`     // live Accept, repaid, candidate says Review or Reject
}

// Simulate replays every record under the candidate policy and compares the
// decision mixes. The live side is each record's recorded outcome, not a
// re-evaluation, so policy drift between records is accounted for.
func Simulate(records iter.Seq[*risk.Record], candidate *risk.Policy) Report {
	rep := Report{CandidateVersion: candidate.Version}
	for rec := range records {
		live := rec.Outcome.FinalDecision
		cand := risk.Replay(rec, candidate).FinalDecision
		rep.Records++
		rep.Live.add(live)
		rep.Candidate.add(cand)
		if live != cand {
			rep.Changed++
			rep.addTransition(live, cand)
		}
		fb := rec.Feedback
		if fb == nil || fb.Repayment == "" {
			continue
		}
		rep.WithRepayment++
		defaulted := fb.Repayment == risk.Defaulted
		if defaulted {
			rep.Defaulted++
		} else {
			rep.Repaid++
		}
		if defaulted && live == risk.Accept {
			rep.LiveApprovedDefaulted++
		}
		if defaulted && cand == risk.Accept {
			rep.CandidateApprovedDefaulted++
		}
		if live == risk.Accept && cand != risk.Accept {
			if defaulted {
				rep.CandidateStoppedDefaulted++
			} else {
				rep.CandidateStoppedRepaid++
			}
		}
	}
	return rep
}

func (r *Report) addTransition(from, to risk.Decision) {
	for i := range r.Transitions {
		if t := &r.Transitions[i]; t.From == from && t.To == to {
			t.Count++
			return
		}
	}
	r.Transitions = append(r.Transitions, Transition{From: from, To: to, Count: 1})
}
