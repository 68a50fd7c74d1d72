package manage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"

	"creditpocket/internal/console"
	"creditpocket/internal/errs"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/replay"
)

// PolicyVersion is a stored risk policy version.
type PolicyVersion struct {
	Version     string
	Name        string
	CreatedBy   string
	CreatedAt   time.Time
	ActivatedAt time.Time
	Active      bool
}

// RiskAdmin is the risk engine's administration: policy versions, the
// live and shadow policies, simulation over stored decisions, and lists.
type RiskAdmin interface {
	Live() *risk.Policy
	Shadow() *risk.Policy
	Policies(ctx context.Context) ([]PolicyVersion, error)
	PolicySource(ctx context.Context, version string) ([]byte, error) // errs.NotFound
	// Publish compiles src, stores it as a new version and makes it live
	// (every server follows within seconds); a *risk.PolicyError when it
	// does not compile, and the running policy stays.
	Publish(ctx context.Context, src []byte, by string) (*risk.Policy, error)
	// SetShadow stores p and runs it beside the live policy without
	// affecting outcomes (every server follows within seconds, and it
	// survives restarts); nil stops it everywhere. A version stored
	// already with another document is errs.Conflict.
	SetShadow(ctx context.Context, p *risk.Policy, by string) error
	// Simulate replays the decisions stored since the given time through
	// candidate.
	Simulate(ctx context.Context, candidate *risk.Policy, since time.Time) (replay.Report, error)
	ListEntries(ctx context.Context, kind risk.ListKind, list risk.ListName, activeOnly bool) ([]risk.ListEntry, error)
	AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error)
	RemoveListEntry(ctx context.Context, id string) error
}

// riskPage is what the risk template shows.
type riskPage struct {
	Live, Shadow *risk.Policy
	Versions     []PolicyVersion
	Source       string // the candidate as submitted, kept on a refusal
	Since        string
	Refused      string // why the candidate did not compile
	Notice       string
	Simulation   *replay.Report
	Candidate    *risk.Policy
}

func (c *Pages) riskAdmin() (RiskAdmin, error) {
	if c.d.Risk == nil {
		return nil, errs.E(errs.Unavailable, "the risk engine is not wired into this console")
	}
	return c.d.Risk, nil
}

// riskHome lists the policy versions and offers upload, activation,
// shadowing and simulation of a candidate.
func (c *Pages) riskHome(q *console.Page) error {
	notice := map[string]string{
		"activated": "The policy is live; every server switches to it within seconds.",
		"shadowing": "The candidate runs in shadow beside the live policy on every server (within seconds): its outcomes are recorded, not used.",
	}[q.R.URL.Query().Get("notice")]
	return c.showRisk(q, http.StatusOK, riskPage{Since: q.R.URL.Query().Get("since"), Notice: notice})
}

func (c *Pages) showRisk(q *console.Page, code int, p riskPage) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	if p.Versions, err = ra.Policies(q.Context()); err != nil {
		return err
	}
	p.Live, p.Shadow = ra.Live(), ra.Shadow()
	if p.Source == "" { // start the candidate from the live policy
		src, err := ra.PolicySource(q.Context(), p.Live.Version)
		switch {
		case errs.Is(err, errs.NotFound): // the shipped default runs: it is not stored
			src = risk.DefaultPolicyYAML()
		case err != nil:
			return err
		}
		p.Source = string(src)
	}
	if p.Since == "" {
		p.Since = q.Now().In(c.d.Location).AddDate(0, 0, -30).Format(time.DateOnly)
	}
	q.Render(code, "risk", p)
	return nil
}

// riskCandidate compiles the posted policy for each action on it:
// activate (publish as the live policy), shadow (run beside it) or
// simulate (replay stored decisions). A policy that does not compile is
// refused with its error, and the running policy stays.
func (c *Pages) riskCandidate(q *console.Page) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	src := strings.ReplaceAll(q.R.PostFormValue("policy"), "\r\n", "\n")
	page := riskPage{Source: src, Since: q.R.PostFormValue("since")}
	if len(src) > risk.MaxPolicyBytes {
		page.Refused = fmt.Sprintf("the policy is larger than %d bytes", risk.MaxPolicyBytes)
		return c.showRisk(q, http.StatusRequestEntityTooLarge, page)
	}
	action := q.R.PostFormValue("action")
	cand, err := risk.CompilePolicy([]byte(src))
	if err != nil {
		var pe *risk.PolicyError
		if !errors.As(err, &pe) {
			return err
		}
		page.Refused = strings.TrimPrefix(err.Error(), "risk: ")
		if aerr := q.Audit("risk.policy.refused", action, page.Refused); aerr != nil {
			return aerr
		}
		return c.showRisk(q, http.StatusBadRequest, page)
	}
	switch action {
	case "activate":
		p, err := ra.Publish(q.Context(), []byte(src), q.Email())
		if err != nil {
			if errs.ErrorCode(err) == errs.Conflict {
				page.Refused = errs.Message(err)
				return c.showRisk(q, http.StatusConflict, page)
			}
			return err
		}
		if err := q.Audit("risk.policy.activate", p.Version, p.Name); err != nil {
			return err
		}
		return q.Redirect("/console/risk?notice=activated")
	case "shadow":
		err := q.Audited("risk.policy.shadow", cand.Version, cand.Name, func() error {
			return ra.SetShadow(q.Context(), cand, q.Email())
		})
		if errs.ErrorCode(err) == errs.Conflict {
			page.Refused = errs.Message(err)
			return c.showRisk(q, http.StatusConflict, page)
		}
		if err != nil {
			return err
		}
		return q.Redirect("/console/risk?notice=shadowing")
	case "simulate":
		since, err := c.day("since", page.Since)
		if err != nil {
			return err
		}
		rep, err := ra.Simulate(q.Context(), cand, since)
		if err != nil {
			return err
		}
		if err := q.Audit("risk.policy.simulate", cand.Version, fmt.Sprintf("since %s: %d decisions, %d changed", page.Since, rep.Records, rep.Changed)); err != nil {
			return err
		}
		page.Simulation, page.Candidate = &rep, cand
		return c.showRisk(q, http.StatusOK, page)
	}
	return errs.InvalidField("action", "must be activate, shadow or simulate")
}

// riskStopShadow stops the shadow policy.
func (c *Pages) riskStopShadow(q *console.Page) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	if err := q.Audited("risk.policy.shadow.stop", "", "", func() error { return ra.SetShadow(q.Context(), nil, q.Email()) }); err != nil {
		return err
	}
	return q.Redirect("/console/risk")
}

// diffLine is one line of a policy diff.
type diffLine struct {
	Kind     string // "add", "del" or "same"
	Old, New int    // line numbers, 0 where the line is absent
	Text     string
}

// diffHunk is a run of changes with their context.
type diffHunk struct{ Lines []diffLine }

// policyDiff diffs two policy sources line by line.
func policyDiff(from, to string) ([]diffHunk, error) {
	u, err := udiff.ToUnifiedDiff("from", "to", from, udiff.Lines(from, to), 3)
	if err != nil {
		return nil, err
	}
	var out []diffHunk
	for _, h := range u.Hunks {
		old, nw := h.FromLine, h.ToLine
		var dh diffHunk
		for _, l := range h.Lines {
			dl := diffLine{Text: strings.TrimSuffix(l.Content, "\n")}
			switch l.Kind {
			case udiff.Delete:
				dl.Kind, dl.Old = "del", old
				old++
			case udiff.Insert:
				dl.Kind, dl.New = "add", nw
				nw++
			default:
				dl.Kind, dl.Old, dl.New = "same", old, nw
				old++
				nw++
			}
			dh.Lines = append(dh.Lines, dl)
		}
		out = append(out, dh)
	}
	return out, nil
}

// riskPolicy shows one stored version's source and its diff against
// another version (the live one unless ?against= names one).
func (c *Pages) riskPolicy(q *console.Page) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	version := q.R.PathValue("version")
	src, err := ra.PolicySource(q.Context(), version)
	if err != nil {
		return err
	}
	against := q.R.URL.Query().Get("against")
	if against == "" {
		against = ra.Live().Version
	}
	data := map[string]any{"Version": version, "Against": against, "Source": string(src)}
	if against != version {
		base, err := ra.PolicySource(q.Context(), against)
		switch {
		case errs.Is(err, errs.NotFound):
			data["NoBase"] = true
		case err != nil:
			return err
		default:
			hunks, err := policyDiff(string(base), string(src))
			if err != nil {
				return err
			}
			data["Diff"] = hunks
		}
	}
	versions, err := ra.Policies(q.Context())
	if err != nil {
		return err
	}
	data["Versions"] = versions
	q.Render(http.StatusOK, "risk_policy", data)
	return nil
}

var listNames = []risk.ListName{risk.Blacklist, risk.Greylist, risk.Whitelist}

// riskLists shows list entries, filtered by kind and list.
func (c *Pages) riskLists(q *console.Page) error {
	return c.showLists(q, http.StatusOK, "")
}

func (c *Pages) showLists(q *console.Page, code int, message string) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	qv := q.R.URL.Query()
	kind, list := risk.ListKind(qv.Get("kind")), risk.ListName(qv.Get("list"))
	entries, err := ra.ListEntries(q.Context(), kind, list, qv.Get("all") == "")
	if err != nil {
		return err
	}
	q.Render(code, "risk_lists", map[string]any{
		"Entries": entries, "Kinds": risk.ListKinds, "Lists": listNames, "Kind": kind, "List": list,
		"All": qv.Get("all") != "", "Message": message,
	})
	return nil
}

// riskListAdd puts a value on a list.
func (c *Pages) riskListAdd(q *console.Page) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	f := q.R.PostFormValue
	e := risk.ListEntry{
		Kind: risk.ListKind(f("kind")), List: risk.ListName(f("list")),
		Value: f("value"), Reason: strings.TrimSpace(f("reason")), CreatedBy: q.Email(),
	}
	if exp := f("expires"); exp != "" {
		t, err := c.day("expires", exp)
		if err != nil {
			return c.showLists(q, http.StatusBadRequest, err.Error())
		}
		e.ExpiresAt = t
	}
	saved, err := ra.AddListEntry(q.Context(), e)
	if err != nil {
		if errs.ErrorCode(err).HTTPStatus() == http.StatusBadRequest {
			return c.showLists(q, http.StatusBadRequest, errs.Message(err))
		}
		return err
	}
	if err := q.Audit("risk.list.add", saved.ID, fmt.Sprintf("%s %s %s: %s", saved.List, saved.Kind, saved.Value, saved.Reason)); err != nil {
		return err
	}
	return q.Redirect("/console/risk/lists")
}

// riskListRemove takes an entry off its list.
func (c *Pages) riskListRemove(q *console.Page) error {
	ra, err := c.riskAdmin()
	if err != nil {
		return err
	}
	id := q.R.PathValue("id")
	if err := ra.RemoveListEntry(q.Context(), id); err != nil {
		return err
	}
	if err := q.Audit("risk.list.remove", id, ""); err != nil {
		return err
	}
	return q.Redirect("/console/risk/lists")
}

// day parses a YYYY-MM-DD form value as the start of that day in the
// business zone.
func (c *Pages) day(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), c.d.Location)
	if err != nil {
		return time.Time{}, errs.InvalidField(field, "must be a date as YYYY-MM-DD")
	}
	return t, nil
}
