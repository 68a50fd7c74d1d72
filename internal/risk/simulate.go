package risk

import "iter"

// Mix counts decisions by outcome.
type Mix struct {
	Accept int `json:"accept"`
	Review int `json:"review"`
	Reject int `json:"reject"`
}

func (m *Mix) add(d Decision) {
	switch d {
	case Accept:
		m.Accept++
	case Review:
		m.Review++
	case Reject:
		m.Reject++
	}
}

// Transition counts records that moved from one decision to another.
type Transition struct {
	From  Decision `json:"from"`
	To    Decision `json:"to"`
	Count int      `json:"count"`
}

// SimulationReport compares the decisions recorded under the live policy
// with those a candidate policy would have made on the same features.
type SimulationReport struct {
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
func Simulate(records iter.Seq[*Record], candidate *Policy) SimulationReport {
	rep := SimulationReport{CandidateVersion: candidate.Version}
	for rec := range records {
		live := rec.Outcome.FinalDecision
		cand := Replay(rec, candidate).FinalDecision
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
		defaulted := fb.Repayment == Defaulted
		if defaulted {
			rep.Defaulted++
		} else {
			rep.Repaid++
		}
		if defaulted && live == Accept {
			rep.LiveApprovedDefaulted++
		}
		if defaulted && cand == Accept {
			rep.CandidateApprovedDefaulted++
		}
		if live == Accept && cand != Accept {
			if defaulted {
				rep.CandidateStoppedDefaulted++
			} else {
				rep.CandidateStoppedRepaid++
			}
		}
	}
	return rep
}

func (r *SimulationReport) addTransition(from, to Decision) {
	for i := range r.Transitions {
		if t := &r.Transitions[i]; t.From == from && t.To == to {
			t.Count++
			return
		}
	}
	r.Transitions = append(r.Transitions, Transition{From: from, To: to, Count: 1})
}
